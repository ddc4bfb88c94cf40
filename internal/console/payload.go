package console

import (
	"bytes"
	"encoding/json"
	"strings"
)

// payload is a string an execution carries (input, result, details,
// control) as the console shows it: pretty-printed when it is a JSON
// object or array, as it is otherwise.
type payload struct {
	Text string
	JSON bool
}

// payloadOf shows s.
func payloadOf(s string) payload {
	if pretty, ok := prettyJSON(s); ok {
		return payload{Text: pretty, JSON: true}
	}
	return payload{Text: s}
}

// prettyJSON indents s when it is a JSON object or array.
func prettyJSON(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') || !json.Valid([]byte(t)) {
		return "", false
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(t), "", "  "); err != nil {
		return "", false
	}
	return b.String(), true
}

// payloadMembers are the members of event attributes that carry what
// deciders and workers pass around, shown decoded when they are JSON.
var payloadMembers = map[string]bool{"input": true, "result": true, "details": true, "control": true, "executionContext": true}

// decodePayloads replaces, in an event's attributes as JSON, each payload
// member that holds a JSON object or array by that JSON itself, so that it
// is indented with the rest rather than shown as one escaped string.
func decodePayloads(attrs []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(attrs, &m) != nil {
		return attrs
	}
	changed := false
	for k, v := range m {
		var s string
		if !payloadMembers[k] || json.Unmarshal(v, &s) != nil {
			continue
		}
		if t := strings.TrimSpace(s); t != "" && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
			m[k], changed = json.RawMessage(t), true
		}
	}
	if !changed {
		return attrs
	}
	b, err := marshalUnescaped(m)
	if err != nil {
		return attrs
	}
	return b
}
