package core

import (
	"net/netip"
	"net/url"
	"strings"
)

// Outbound webhooks must not reach inside. An endpoint URL is
// https to a public address, or, only for a host the operator allows
// (LANGGANAN_WEBHOOK_ALLOW_HOSTS: local development and tests), http or
// https to any address. Registration checks what it can without the
// network (the scheme, a literal address, "localhost"); the sender checks
// again at connection time, after DNS resolution (adapters/webhooks).

// HostAllowed reports whether host (a URL's Hostname) is in allow,
// case-insensitively.
func HostAllowed(host string, allow []string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, a := range allow {
		if strings.TrimSuffix(strings.ToLower(strings.TrimSpace(a)), ".") == host && host != "" {
			return true
		}
	}
	return false
}

// PublicAddr reports whether ip is a public unicast address: not
// loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
// (169.254/16 with the cloud metadata services, fe80::/10), shared
// (100.64/10), unspecified, multicast, broadcast, documentation or
// otherwise reserved.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range reservedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var reservedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
		"::/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "2002::/16", "fec0::/10",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// endpointURLProblem says what is wrong with u as a webhook endpoint under
// the allow list, or "" if nothing is.
func endpointURLProblem(u *url.URL, allow []string) string {
	host := u.Hostname()
	if HostAllowed(host, allow) {
		return ""
	}
	if u.Scheme != "https" {
		return "must be https (http only to a host in LANGGANAN_WEBHOOK_ALLOW_HOSTS)"
	}
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "metadata.google.internal" {
		return "must not point at this machine or an internal service"
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil && !PublicAddr(ip) {
		return "must be a public address (not loopback, link-local or private)"
	}
	return ""
}
