package words

import "reflect"

// Cleaned is a copy of v with every string in it made safe with Clean: the exported string
// fields of its structs, and the strings of its slices, arrays, maps and pointers, however deep.
// It is how a report, a table's rows or a page's result are cleaned before they are shown: the
// same way for every field, none forgotten. Interface and unexported fields are copied as they
// are (a plan's domain changes stay exactly what the person reviewed); v itself is not changed.
func Cleaned[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	out := reflect.New(rv.Type()).Elem()
	cleanInto(out, rv)
	return out.Interface().(T)
}

// cleanInto sets dst, of src's type, to a cleaned copy of src.
func cleanInto(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.String:
		dst.SetString(Clean(src.String()))
	case reflect.Struct:
		dst.Set(src) // unexported fields, and time.Time, as they are
		t := src.Type()
		for i := 0; i < src.NumField(); i++ {
			if t.Field(i).IsExported() {
				cleanInto(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		if src.Type().Elem().Kind() == reflect.Uint8 {
			dst.Set(src) // bytes are not text
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			cleanInto(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Array:
		for i := 0; i < src.Len(); i++ {
			cleanInto(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			cleanInto(k, it.Key())
			e := reflect.New(src.Type().Elem()).Elem()
			cleanInto(e, it.Value())
			m.SetMapIndex(k, e)
		}
		dst.Set(m)
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		cleanInto(p.Elem(), src.Elem())
		dst.Set(p)
	default:
		dst.Set(src) // numbers, booleans, functions, channels, interfaces
	}
}
