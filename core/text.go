package core

import "unicode/utf8"

// Names and descriptions are shown in HTML pages, emails, logs and
// terminals; control characters, NUL and bidirectional overrides in them
// would let one user disguise text for another. textProblem
// says what is wrong with s, or "" if nothing is. multiline admits line
// breaks and tabs (descriptions); names admit neither.
func textProblem(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return "must not contain control characters"
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return "must not contain bidirectional control characters"
		case r == 0xfeff || (r >= 0xfff9 && r <= 0xfffb):
			return "must not contain invisible format characters"
		}
	}
	return ""
}

// checkText adds textProblem's finding for field to fe.
func checkText(fe FieldErrors, field, s string, multiline bool) {
	if p := textProblem(s, multiline); p != "" {
		fe.Add(field, p)
	}
}
