package web

// Catalog exposes the texts of a language to the tests.
func Catalog(lang string) map[string]string { return catalog[lang] }

// ErrorKeys are the keys of the error pages statusOf picks.
var ErrorKeys = []string{"invalid", "unauthenticated", "forbidden", "not_found", "conflict", "unprocessable",
	"declined", "rate_limited", "gateway", "internal", "link_gone"}
