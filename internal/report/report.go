// Package report is the look of the printable HTML reports the checks write (GDAP
// relationships, Troubleshoot, the health check of check all and Home): one style sheet, so
// that every report fits a page as narrow as 1,300 pixels (or a printed A4 page) and reads the
// same.
//
// The tables lay their columns out at fixed widths (table-layout: fixed), so a long sentence can
// never squeeze a column to one character: a tenant id stays on one line (or breaks at its
// hyphens), and any long word (a link) wraps inside its cell rather than widening the page.
package report

import "html/template"

// Style is the style sheet every report puts in its <head>, in a <style> element.
const Style = `
body { font-family: "Segoe UI", system-ui, -apple-system, sans-serif; margin: 2em auto; padding: 0 2em; max-width: 1400px; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.5em; }
p.summary span { display: inline-block; margin-right: 1.2em; }
table { border-collapse: collapse; width: 100%; margin-top: 0.6em; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 0.45em 0.6em; border-bottom: 1px solid #d0d0d0; overflow-wrap: anywhere; }
th { background: #f3f3f3; }
col.who { width: 24%; } col.check { width: 17%; } col.status { width: 11em; }
.badge { font-weight: 600; white-space: nowrap; }
.pass { color: #107c10; } .fail { color: #a4262c; } .warning { color: #8a5a00; } .couldNotCheck { color: #5c2e91; }
ul { margin: 0.3em 0 0; padding-left: 1.2em; } li { margin-bottom: 0.3em; }
.roles, .ids, .fix { color: #555; font-size: 0.85em; }
.ids { font-family: Consolas, "Cascadia Mono", monospace; overflow-wrap: normal; word-break: normal; }
@page { size: A4 landscape; margin: 1.2cm; }
@media print {
  body { margin: 0; padding: 0; max-width: none; font-size: 10pt; }
  thead { display: table-header-group; } tr { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; } a { color: inherit; }
  .badge, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`

// CSS is Style for an html/template, which must not escape it.
func CSS() template.CSS { return template.CSS(Style) }

// Page is a report's page: one HTML file with Style inline, titled by its data's Title, with body
// (an html/template, which escapes every value) between <body> and </body>. funcs are the body's
// own template functions. It panics on a body that is not a template, as template.Must does: the
// bodies are the program's own constants.
func Page(name string, funcs template.FuncMap, body string) *template.Template {
	return template.Must(template.New(name).Funcs(funcs).Funcs(template.FuncMap{"css": CSS}).Parse(head + body + foot))
}

const (
	head = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{{.Title}}</title>\n<style>{{css}}</style>\n</head>\n<body>\n"
	foot = "</body>\n</html>\n"
)
