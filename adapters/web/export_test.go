package web

import "github.com/langganan/langganan/adapters/internal/errstatus"

// Catalog exposes the texts of a language to the tests.
func Catalog(lang string) map[string]string { return catalog[lang] }

// ErrorKeys are the keys of the error pages statusOf picks: one for each
// of core's error kinds, a fault's and a used portal link's.
func ErrorKeys() []string {
	keys := []string{"internal", "link_gone"}
	for _, k := range errstatus.Kinds() {
		_, key := statusOf(k.Err)
		keys = append(keys, key)
	}
	return keys
}
