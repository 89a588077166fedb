package reports

import (
	"bytes"
	"html/template"
	"slices"
)

// matrixRow is one behaviour across the clients.
type matrixRow struct {
	ID    string
	Cells []string // verdict per client column, "" when no spec of that client checks it
}

type htmlData struct {
	RunReport
	Clients  []string
	Matrix   []matrixRow
	Failures []RunSpec
	Areas    []string
}

// WriteHTML writes report.html: one self-contained page (inline style and script, nothing
// fetched at view time) with the behaviour × client matrix, every failure with its reason,
// transcript and reproduce command, and filters by verdict and area.
func WriteHTML(path string, r RunReport) error {
	data := htmlData{RunReport: r}
	cells := map[string]map[string]string{} // behaviour → client → worst verdict
	areas := map[string]bool{}
	for _, s := range r.Specs {
		if s.Client != "" && !slices.Contains(data.Clients, s.Client) {
			data.Clients = append(data.Clients, s.Client)
		}
		if s.Area != "" {
			areas[s.Area] = true
		}
		for _, id := range s.Behaviours {
			if cells[id] == nil {
				cells[id] = map[string]string{}
			}
			cells[id][s.Client] = worse(cells[id][s.Client], s.Verdict)
		}
		if s.Verdict == "failed" || s.Verdict == "error" {
			data.Failures = append(data.Failures, s)
		}
	}
	slices.Sort(data.Clients)
	for a := range areas {
		data.Areas = append(data.Areas, a)
	}
	slices.Sort(data.Areas)
	for _, id := range r.SortedBehaviours() {
		row := matrixRow{ID: id}
		for _, c := range data.Clients {
			row.Cells = append(row.Cells, cells[id][c])
		}
		data.Matrix = append(data.Matrix, row)
	}
	var b bytes.Buffer
	if err := htmlPage.Execute(&b, data); err != nil {
		return err
	}
	return writeAtomic(path, b.Bytes())
}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"verdicts": func() []string { return []string{"passed", "failed", "error", "skipped", TypeInterrupted} },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>rebootconf {{.Verdict}}: {{.Target.Description}}</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
.passed{background:#d7f5d7}.failed,.error{background:#f8c9c9}.skipped{background:#eee}.interrupted{background:#fde8b0}
.verdict-pass{color:#176117}.verdict-fail{color:#a11}.verdict-interrupted{color:#a60}
pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:30em;white-space:pre-wrap}
code.repro{display:block;background:#222;color:#eee;padding:6px;white-space:pre-wrap}
.failure{border-left:4px solid #c33;padding-left:10px;margin-bottom:1.2em}
#filters label{margin-right:1em}
</style></head><body>
<h1 id="verdict" class="verdict-{{.Verdict}}">rebootconf: {{.Verdict}}</h1>
<p id="target">target: {{.Target.Description}}{{if .Target.Mutants}} <strong>(planted bugs: {{range .Target.Mutants}}{{.}} {{end}})</strong>{{end}}<br>
seed {{.Seed}}, run id {{.RunID}}, label filter "{{.LabelFilter}}", suites {{range .Suites}}{{.}} {{end}}, harness {{.HarnessVersion}}, started {{.Started}}, wall time {{printf "%.1f" .WallSeconds}}s</p>
<p id="summary">{{.Summary.Tests}} specs: {{.Summary.Passed}} passed, {{.Summary.Failed}} failed, {{.Summary.Errors}} errors, {{.Summary.Skipped}} skipped, {{.Summary.Unfinished}} unfinished</p>
<h2>Behaviours × clients</h2>
<table id="matrix"><thead><tr><th>behaviour</th>{{range .Clients}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Matrix}}<tr data-id="{{.ID}}"><th>{{.ID}}</th>{{range .Cells}}<td class="{{.}}">{{if .}}{{.}}{{else}}–{{end}}</td>{{end}}</tr>
{{end}}</tbody></table>
<h2>Failures ({{len .Failures}})</h2>
{{range .Failures}}<div class="failure" data-area="{{.Area}}">
<h3>{{.Name}}</h3>
<p>suite {{.Suite}}; client {{.Client}}; behaviours {{range .Behaviours}}{{.}} {{end}}; verdict {{.Verdict}}</p>
<p class="reason">{{.Reason}}</p>
{{if .Reproduce}}<p>reproduce:</p><code class="repro">{{.Reproduce}}</code>{{end}}
<details><summary>transcript</summary><pre>{{.Details}}</pre></details>
</div>
{{else}}<p>none</p>{{end}}
<h2>Every spec</h2>
<div id="filters">verdict:
{{range $v := verdicts}}<label><input type="checkbox" class="fv" value="{{$v}}" checked> {{$v}}</label>{{end}}
area: <select id="farea"><option value="">all</option>{{range .Areas}}<option>{{.}}</option>{{end}}</select></div>
<table id="specs"><thead><tr><th>verdict</th><th>spec</th><th>client</th><th>behaviours</th><th>reason</th></tr></thead><tbody>
{{range .Specs}}<tr data-verdict="{{.Verdict}}" data-area="{{.Area}}"><td class="{{.Verdict}}">{{.Verdict}}</td><td>{{.Name}}</td><td>{{.Client}}</td><td>{{range .Behaviours}}{{.}} {{end}}</td><td>{{.Reason}}</td></tr>
{{end}}</tbody></table>
<script>
(function(){
  function apply(){
    var on={};document.querySelectorAll('.fv').forEach(function(c){on[c.value]=c.checked});
    var area=document.getElementById('farea').value;
    document.querySelectorAll('#specs tbody tr').forEach(function(r){
      r.style.display=(on[r.dataset.verdict]!==false&&(!area||r.dataset.area===area))?'':'none';
    });
  }
  document.querySelectorAll('.fv').forEach(function(c){c.addEventListener('change',apply)});
  document.getElementById('farea').addEventListener('change',apply);
})();
</script>
</body></html>
`))
