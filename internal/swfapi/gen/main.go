// Command gen generates package swfapi from the Amazon SWF API model
// (api/swf-2012-01-25.model.json): the Go type of every shape, the enums,
// validation of every constraint the model states plus SWF's naming rules,
// and the table of the 39 operations that the wire layer dispatches on.
//
// It runs through `go generate ./internal/swfapi`; CI regenerates and fails
// when the committed output differs.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"sort"
	"strings"
)

type member struct {
	Shape string `json:"shape"`
}

type shape struct {
	Type      string         `json:"type"`
	Members   orderedMembers `json:"members"`
	Required  []string       `json:"required"`
	Member    *member        `json:"member"`
	Enum      []string       `json:"enum"`
	Min       *int64         `json:"min"`
	Max       *int64         `json:"max"`
	Exception bool           `json:"exception"`
}

// orderedMembers keeps a structure's members in model order, so that the
// generated types list them (and encode them) in the order AWS does.
type orderedMembers struct {
	names  []string
	byName map[string]member
}

func (o *orderedMembers) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return err
	}
	o.byName = map[string]member{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name := tok.(string)
		var m member
		if err := dec.Decode(&m); err != nil {
			return err
		}
		o.names = append(o.names, name)
		o.byName[name] = m
	}
	_, err := dec.Token()
	return err
}

type operation struct {
	Name   string  `json:"name"`
	Input  *member `json:"input"`
	Output *member `json:"output"`
	Errors []member
}

type model struct {
	Metadata   map[string]any       `json:"metadata"`
	Operations map[string]operation `json:"operations"`
	Shapes     map[string]*shape    `json:"shapes"`
}

// customChecks names the string shapes whose values SWF constrains beyond
// what the model states (SWF-API.md §1.5 and §2). The value is the name of
// the validator method that checks them.
var customChecks = map[string]string{
	"DomainName":                "domainName",
	"Name":                      "swfName",
	"Version":                   "swfName",
	"WorkflowId":                "swfName",
	"ActivityId":                "swfName",
	"TimerId":                   "swfName",
	"DurationInSeconds":         "duration",
	"DurationInSecondsOptional": "duration",
	"DurationInDays":            "duration",
	"TaskPriority":              "priority",
	"ResourceTagKey":            "tagChars",
	"ResourceTagValue":          "tagChars",
	"Tag":                       "tagChars",
}

// sizeLimited names the data shapes whose maximum size is a server setting
// (SizeLimits) rather than fixed, with the SizeLimits field that holds it.
var sizeLimited = map[string]string{
	"Data":          "Data",
	"LimitedData":   "LimitedData",
	"FunctionInput": "FunctionInput",
}

func main() {
	modelPath := flag.String("model", "../../api/swf-2012-01-25.model.json", "path of the API model")
	out := flag.String("out", "zz_generated.go", "output file")
	flag.Parse()

	raw, err := os.ReadFile(*modelPath)
	if err != nil {
		log.Fatal(err)
	}
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		log.Fatal(err)
	}
	g := &generator{m: &m}
	src, err := g.generate()
	if err != nil {
		log.Fatal(err)
	}
	formatted, err := format.Source(src)
	if err != nil {
		os.WriteFile(*out, src, 0o644)
		log.Fatalf("gofmt generated code: %v", err)
	}
	if err := os.WriteFile(*out, formatted, 0o644); err != nil {
		log.Fatal(err)
	}
}

type generator struct {
	m   *model
	buf bytes.Buffer
	// validated holds the structures reachable from an operation's input:
	// only those need a validate method.
	validated map[string]bool
}

func (g *generator) p(format string, args ...any) {
	fmt.Fprintf(&g.buf, format, args...)
	g.buf.WriteByte('\n')
}

func exported(name string) string {
	return strings.ToUpper(name[:1]) + name[1:]
}

// enumConst turns an enum value (START_TO_CLOSE, ScheduleActivityTask) into
// the suffix of its Go constant name (StartToClose, ScheduleActivityTask).
func enumConst(v string) string {
	if !strings.Contains(v, "_") && strings.ToUpper(v) != v {
		return exported(v)
	}
	var b strings.Builder
	for _, part := range strings.Split(strings.ToLower(v), "_") {
		if part == "" {
			continue
		}
		b.WriteString(exported(part))
	}
	return b.String()
}

func (g *generator) sortedShapes() []string {
	names := make([]string, 0, len(g.m.Shapes))
	for n := range g.m.Shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// goType is the Go type of a member whose shape is name.
func (g *generator) goType(name string) string {
	s := g.m.Shapes[name]
	switch s.Type {
	case "structure":
		return "*" + name
	case "list":
		return "[]" + g.elemType(s.Member.Shape)
	case "string":
		if len(s.Enum) > 0 {
			return "*" + name
		}
		return "*string"
	case "integer":
		return "*int32"
	case "long":
		return "*int64"
	case "boolean":
		return "*bool"
	case "timestamp":
		return "*Timestamp"
	}
	panic("unknown shape type " + s.Type)
}

// elemType is the Go type of a list element whose shape is name.
func (g *generator) elemType(name string) string {
	s := g.m.Shapes[name]
	switch s.Type {
	case "structure":
		return name
	case "string":
		if len(s.Enum) > 0 {
			return name
		}
		return "string"
	}
	panic("unsupported list element type " + s.Type)
}

func (g *generator) markValidated(name string) {
	s := g.m.Shapes[name]
	if s.Type == "list" {
		g.markValidated(s.Member.Shape)
		return
	}
	if s.Type != "structure" || g.validated[name] {
		return
	}
	g.validated[name] = true
	for _, mm := range s.Members.byName {
		g.markValidated(mm.Shape)
	}
}

func (g *generator) generate() ([]byte, error) {
	g.validated = map[string]bool{}
	opNames := make([]string, 0, len(g.m.Operations))
	for n, op := range g.m.Operations {
		opNames = append(opNames, n)
		g.markValidated(op.Input.Shape)
	}
	sort.Strings(opNames)

	g.p("// Code generated by internal/swfapi/gen from api/swf-2012-01-25.model.json. DO NOT EDIT.")
	g.p("")
	g.p("package swfapi")
	g.p("")
	g.p("import (")
	g.p("\t\"context\"")
	g.p("\t\"encoding/json\"")
	g.p("\t\"fmt\"")
	g.p(")")
	g.p("")
	g.p("// APIVersion is the version of the SWF API these types describe.")
	g.p("const APIVersion = %q", g.m.Metadata["apiVersion"])
	g.p("")
	g.p("// TargetPrefix prefixes the operation name in the X-Amz-Target header.")
	g.p("const TargetPrefix = %q", g.m.Metadata["targetPrefix"])
	g.p("")

	g.p("// Model maxima of the data shapes whose size is a setting (SizeLimits).")
	g.p("const (")
	for _, shape := range []string{"Data", "LimitedData", "FunctionInput"} {
		g.p("\tModelMax%s = %d", shape, *g.m.Shapes[shape].Max)
	}
	g.p(")")
	g.p("")
	g.genEnums()
	g.genFaults()
	g.genStructs()
	g.genUnions()
	g.genService(opNames)
	return g.buf.Bytes(), nil
}

func (g *generator) genEnums() {
	for _, name := range g.sortedShapes() {
		s := g.m.Shapes[name]
		if s.Type != "string" || len(s.Enum) == 0 {
			continue
		}
		g.p("// %s is an enum of the SWF API.", name)
		g.p("type %s string", name)
		g.p("")
		g.p("// Values of %s.", name)
		g.p("const (")
		for _, v := range s.Enum {
			g.p("\t%s%s %s = %q", name, enumConst(v), name, v)
		}
		g.p(")")
		g.p("")
		g.p("// %sValues lists every value of %s in model order.", name, name)
		g.p("var %sValues = []%s{", name, name)
		for _, v := range s.Enum {
			g.p("\t%s%s,", name, enumConst(v))
		}
		g.p("}")
		g.p("")
		g.p("// Valid reports whether v is one of the enum's values.")
		g.p("func (v %s) Valid() bool {", name)
		g.p("\tswitch v {")
		quoted := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			quoted[i] = fmt.Sprintf("%q", v)
		}
		g.p("\tcase %s:", strings.Join(quoted, ", "))
		g.p("\t\treturn true")
		g.p("\t}")
		g.p("\treturn false")
		g.p("}")
		g.p("")
		g.p("// Ptr returns a pointer to a copy of v, for optional members.")
		g.p("func (v %s) Ptr() *%s { return &v }", name, name)
		g.p("")
	}
}

func (g *generator) genFaults() {
	g.p("// Fault codes: the modeled exceptions of the SWF API. Each travels as")
	g.p("// HTTP 400 with this name in the __type member of the error body.")
	g.p("const (")
	for _, name := range g.sortedShapes() {
		if g.m.Shapes[name].Exception {
			g.p("\tCode%s = %q", name, name)
		}
	}
	g.p(")")
	g.p("")
}

func (g *generator) genStructs() {
	for _, name := range g.sortedShapes() {
		s := g.m.Shapes[name]
		if s.Type != "structure" || s.Exception {
			continue
		}
		required := map[string]bool{}
		for _, r := range s.Required {
			required[r] = true
		}
		members := s.Members.names

		g.p("// %s is the %s shape of the SWF API.", name, name)
		if name == "HistoryEvent" {
			g.p("//")
			g.p("// An event read from storage may carry its JSON in Raw instead: it is")
			g.p("// then written as stored, without decoding it first.")
		}
		g.p("type %s struct {", name)
		for _, mn := range members {
			mt := g.m.Shapes[s.Members.byName[mn].Shape]
			// Absent members are left out of the JSON: nil pointers
			// (omitempty) and nil lists (omitzero; an empty list is
			// written as []). Required members carry swf:"required" so
			// that tests can check answers leave none out.
			opt := ",omitempty"
			if mt.Type == "list" {
				opt = ",omitzero"
			}
			req := ""
			if required[mn] {
				req = ` swf:"required"`
			}
			g.p("\t%s %s `json:\"%s%s\"%s`", exported(mn), g.goType(s.Members.byName[mn].Shape), mn, opt, req)
		}
		if name == "HistoryEvent" {
			g.p("\t// Raw, when set, is the event's JSON, written as is.")
			g.p("\tRaw json.RawMessage `json:\"-\"`")
		}
		g.p("}")
		g.p("")
		if name == "HistoryEvent" {
			g.p("// MarshalJSON writes Raw when the event has it.")
			g.p("func (x HistoryEvent) MarshalJSON() ([]byte, error) {")
			g.p("\tif x.Raw != nil {")
			g.p("\t\treturn x.Raw, nil")
			g.p("\t}")
			g.p("\ttype plain HistoryEvent")
			g.p("\treturn json.Marshal(plain(x))")
			g.p("}")
			g.p("")
		}
		if g.validated[name] {
			g.genValidate(name, s, members, required)
		}
	}
}

func (g *generator) genValidate(name string, s *shape, members []string, required map[string]bool) {
	g.p("func (s *%s) validate(v *validator, path string) {", name)
	for _, mn := range members {
		msName := s.Members.byName[mn].Shape
		ms := g.m.Shapes[msName]
		field := exported(mn)
		if required[mn] {
			g.p("\tif s.%s == nil {", field)
			g.p("\t\tv.null(path, %q)", mn)
			g.p("\t}")
		}
		g.memberChecks(mn, field, msName, ms)
	}
	g.p("}")
	g.p("")
}

// memberChecks writes the checks of one member's value, when it is present.
func (g *generator) memberChecks(mn, field, msName string, ms *shape) {
	switch ms.Type {
	case "structure":
		g.p("\tif s.%s != nil {", field)
		g.p("\t\ts.%s.validate(v, join(path, %q))", field, mn)
		g.p("\t}")
	case "string":
		val := "*s." + field
		if len(ms.Enum) > 0 {
			val = "string(*s." + field + ")"
		}
		checks := g.stringChecks(msName, ms, val, "path", fmt.Sprintf("%q", mn))
		if len(checks) > 0 {
			g.p("\tif s.%s != nil {", field)
			for _, c := range checks {
				g.p("\t\t%s", c)
			}
			g.p("\t}")
		}
	case "integer", "long":
		if ms.Min != nil || ms.Max != nil {
			g.p("\tif s.%s != nil {", field)
			g.p("\t\tv.rangeCheck(path, %q, int64(*s.%s), %s, %s)", mn, field, boundArg(ms.Min), boundArg(ms.Max))
			g.p("\t}")
		}
	case "list":
		if ms.Min != nil || ms.Max != nil {
			g.p("\tif s.%s != nil {", field)
			g.p("\t\tv.listLength(path, %q, len(s.%s), %s, %s)", mn, field, boundArg(ms.Min), boundArg(ms.Max))
			g.p("\t}")
		}
		es := g.m.Shapes[ms.Member.Shape]
		switch es.Type {
		case "structure":
			g.p("\tfor i := range s.%s {", field)
			g.p("\t\ts.%s[i].validate(v, v.elem(path, %q, i))", field, mn)
			g.p("\t}")
		case "string":
			val := "e"
			if len(es.Enum) > 0 {
				val = "string(e)"
			}
			checks := g.stringChecks(ms.Member.Shape, es, val, fmt.Sprintf("v.elem(path, %q, i)", mn), `""`)
			if len(checks) > 0 {
				g.p("\tfor i, e := range s.%s {", field)
				for _, c := range checks {
					g.p("\t\t%s", c)
				}
				g.p("\t}")
			}
		}
	}
}

// boundArg renders an optional bound as the validator's sentinel for
// "no bound", -1.
func boundArg(b *int64) string {
	if b == nil {
		return "-1"
	}
	return fmt.Sprint(*b)
}

func (g *generator) stringChecks(shapeName string, s *shape, val, path, field string) []string {
	var out []string
	if s.Min != nil || s.Max != nil {
		max := boundArg(s.Max)
		if f, ok := sizeLimited[shapeName]; ok {
			max = fmt.Sprintf("v.sizes.%s", f)
		}
		out = append(out, fmt.Sprintf("v.length(%s, %s, %s, %s, %s)", path, field, val, boundArg(s.Min), max))
	}
	if len(s.Enum) > 0 {
		out = append(out, fmt.Sprintf("if !%s(%s).Valid() { v.enum(%s, %s, %s, enumStrings(%sValues)) }", shapeName, val, path, field, val, shapeName))
	}
	if c, ok := customChecks[shapeName]; ok {
		out = append(out, fmt.Sprintf("v.%s(%s, %s, %s)", c, path, field, val))
	}
	return out
}

// genUnions writes the helpers of the two "one attributes member per type"
// structures: HistoryEvent (by eventType) and Decision (by decisionType).
func (g *generator) genUnions() {
	for _, u := range []struct{ shape, typeField, enum, suffix string }{
		{"HistoryEvent", "EventType", "EventType", "EventAttributes"},
		{"Decision", "DecisionType", "DecisionType", "DecisionAttributes"},
	} {
		s := g.m.Shapes[u.shape]
		type pair struct{ value, member, attrShape string }
		var pairs []pair
		for _, mn := range s.Members.names {
			if !strings.HasSuffix(mn, u.suffix) {
				continue
			}
			value := exported(strings.TrimSuffix(mn, u.suffix))
			found := false
			for _, v := range g.m.Shapes[u.enum].Enum {
				found = found || v == value
			}
			if !found {
				log.Fatalf("%s member %s matches no %s value", u.shape, mn, u.enum)
			}
			pairs = append(pairs, pair{value, exported(mn), s.Members.byName[mn].Shape})
		}
		if len(pairs) != len(g.m.Shapes[u.enum].Enum) {
			log.Fatalf("%s has %d attribute members for %d %s values", u.shape, len(pairs), len(g.m.Shapes[u.enum].Enum), u.enum)
		}

		g.p("// Attributes returns the attributes member that the %s names, or", u.typeField)
		g.p("// nil when it is absent.")
		g.p("func (x *%s) Attributes() any {", u.shape)
		g.p("\tif x.%s == nil {", u.typeField)
		g.p("\t\treturn nil")
		g.p("\t}")
		g.p("\tswitch *x.%s {", u.typeField)
		for _, p := range pairs {
			g.p("\tcase %s%s:", u.enum, enumConst(p.value))
			g.p("\t\tif x.%s != nil {", p.member)
			g.p("\t\t\treturn x.%s", p.member)
			g.p("\t\t}")
		}
		g.p("\t}")
		g.p("\treturn nil")
		g.p("}")
		g.p("")

		g.p("// Set%s sets the attributes member that fits attrs (a pointer to", "Attributes")
		g.p("// one of the attribute shapes) and the %s that goes with it.", u.typeField)
		g.p("func (x *%s) SetAttributes(attrs any) {", u.shape)
		g.p("\tswitch a := attrs.(type) {")
		for _, p := range pairs {
			g.p("\tcase *%s:", p.attrShape)
			g.p("\t\tx.%s = %s%s.Ptr()", u.typeField, u.enum, enumConst(p.value))
			g.p("\t\tx.%s = a", p.member)
		}
		g.p("\tdefault:")
		g.p("\t\tpanic(fmt.Sprintf(\"swfapi: %%T is not an attributes shape of %s\", attrs))", u.shape)
		g.p("\t}")
		g.p("}")
		g.p("")
	}
}

func (g *generator) genService(opNames []string) {
	g.p("// Service is the whole SWF API: one method per operation, taking the")
	g.p("// operation's validated input. Operations without output return only an error.")
	g.p("type Service interface {")
	for _, n := range opNames {
		op := g.m.Operations[n]
		if op.Output != nil {
			g.p("\t%s(ctx context.Context, in *%s) (*%s, error)", n, op.Input.Shape, op.Output.Shape)
		} else {
			g.p("\t%s(ctx context.Context, in *%s) error", n, op.Input.Shape)
		}
	}
	g.p("}")
	g.p("")

	for _, n := range opNames {
		op := g.m.Operations[n]
		g.p("// Validate checks every constraint of the model and SWF's naming rules,")
		g.p("// with the data sizes the limits allow, returning a *ValidationError")
		g.p("// that names each offending field.")
		g.p("func (s *%s) Validate(limits *SizeLimits) error {", op.Input.Shape)
		g.p("\tv := validator{sizes: limits.orDefault()}")
		g.p("\ts.validate(&v, \"\")")
		g.p("\treturn v.err()")
		g.p("}")
		g.p("")
	}

	g.p("// operations maps each operation name to its decoder and invoker.")
	g.p("var operations = map[string]*Operation{")
	for _, n := range opNames {
		op := g.m.Operations[n]
		g.p("\t%q: {", n)
		g.p("\t\tName: %q,", n)
		g.p("\t\tNewInput: func() Input { return new(%s) },", op.Input.Shape)
		if op.Output != nil {
			g.p("\t\tNewOutput: func() any { return new(%s) },", op.Output.Shape)
		}
		if op.Output != nil {
			g.p("\t\tCall: func(ctx context.Context, s Service, in Input) (any, error) {")
			g.p("\t\t\tout, err := s.%s(ctx, in.(*%s))", n, op.Input.Shape)
			g.p("\t\t\tif err != nil || out == nil {")
			g.p("\t\t\t\treturn nil, err")
			g.p("\t\t\t}")
			g.p("\t\t\treturn out, nil")
			g.p("\t\t},")
		} else {
			g.p("\t\tCall: func(ctx context.Context, s Service, in Input) (any, error) {")
			g.p("\t\t\treturn nil, s.%s(ctx, in.(*%s))", n, op.Input.Shape)
			g.p("\t\t},")
		}
		g.p("\t},")
	}
	g.p("}")
}
