package explain

import (
	"strings"
	"testing"
)

func BenchmarkFromTextShort(b *testing.B) {
	s := "redeem refresh token for tenant X: invalid_grant: AADSTS700082: The refresh token has expired due to inactivity."
	for b.Loop() {
		FromText(s)
	}
}

func BenchmarkFromTextNoCode(b *testing.B) {
	s := "dial tcp 192.0.2.1:443: connect: connection refused"
	for b.Loop() {
		FromText(s)
	}
}

func BenchmarkFromResponseGraph(b *testing.B) {
	body := []byte(`{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2026-04-02T10:11:12"}}}`)
	for b.Loop() {
		FromResponse(403, body)
	}
}

func BenchmarkFromText10MB(b *testing.B) {
	s := strings.Repeat("abc def 404 ghi { } status ", 10<<20/27)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		FromText(s)
	}
}
