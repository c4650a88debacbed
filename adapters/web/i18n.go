package web

import "sort"

// messages holds every text the pages show, in Indonesian and English.
// Templates look a text up by its key in .T; TestCatalogComplete checks that each key
// a template uses exists in both languages.
var messages = map[string]struct{ id, en string }{
	"brand":        {"Langganan", "Langganan"},
	"skip":         {"Lewati ke konten utama", "Skip to main content"},
	"nav_label":    {"Navigasi utama", "Main navigation"},
	"lang_label":   {"Bahasa", "Language"},
	"sign_out":     {"Keluar", "Sign out"},
	"signed_in_as": {"Masuk sebagai", "Signed in as"},
	"return_to":    {"Kembali ke toko", "Return to the merchant"},
	"nav_overview": {"Ringkasan", "Overview"},
	"portal_title": {"Portal pelanggan", "Customer portal"},
	"portal_intro": {"Kelola langganan, tagihan, pembayaran, dan dompet Anda.", "Manage your subscriptions, invoices, payments and wallet."},
	"footer":       {"Langganan: tagihan langganan dengan Midtrans.", "Langganan: subscription billing with Midtrans."},

	"signin_title":     {"Masuk", "Sign in"},
	"signin_intro":     {"Masuk untuk mengelola langganan, tagihan, dan dompet Anda.", "Sign in to manage your subscriptions, invoices and wallet."},
	"username":         {"Nama pengguna", "Username"},
	"password":         {"Kata sandi", "Password"},
	"signin_button":    {"Masuk", "Sign in"},
	"signin_missing":   {"Isi nama pengguna dan kata sandi.", "Enter your username and password."},
	"signin_wrong":     {"Nama pengguna atau kata sandi salah.", "Wrong username or password."},
	"signin_throttled": {"Terlalu banyak percobaan masuk. Coba lagi beberapa menit lagi.", "Too many sign-in attempts. Try again in a few minutes."},
	"done_signed_out":  {"Anda telah keluar.", "You have signed out."},

	"csrf_title":   {"Formulir kedaluwarsa", "The form has expired"},
	"csrf_message": {"Muat ulang halaman lalu coba lagi.", "Reload the page and try again."},

	"err_back":                  {"Kembali", "Go back"},
	"err_detail":                {"Keterangan", "Details"},
	"err_invalid_title":         {"Isian tidak valid", "Invalid input"},
	"err_invalid":               {"Periksa isian Anda lalu coba lagi.", "Check what you entered and try again."},
	"err_unauthenticated_title": {"Perlu masuk", "Sign-in needed"},
	"err_unauthenticated":       {"Silakan masuk terlebih dahulu.", "Please sign in first."},
	"err_forbidden_title":       {"Tidak diizinkan", "Not allowed"},
	"err_forbidden":             {"Anda tidak dapat melakukan ini.", "You cannot do this."},
	"err_not_found_title":       {"Tidak ditemukan", "Not found"},
	"err_not_found":             {"Halaman atau data ini tidak ada.", "This page or record does not exist."},
	"err_conflict_title":        {"Belum bisa dilakukan", "Not possible right now"},
	"err_conflict":              {"Tindakan ini tidak dapat dilakukan pada keadaan sekarang.", "This action is not possible in the current state."},
	"err_unprocessable_title":   {"Tidak dapat diproses", "Cannot be processed"},
	"err_unprocessable":         {"Permintaan ini tidak dapat diproses.", "This request cannot be processed."},
	"err_declined_title":        {"Pembayaran ditolak", "Payment declined"},
	"err_declined":              {"Bank atau penyedia pembayaran menolak pembayaran ini.", "The bank or payment provider declined this payment."},
	"err_rate_limited_title":    {"Terlalu banyak percobaan", "Too many attempts"},
	"err_rate_limited":          {"Tunggu sebentar lalu coba lagi.", "Wait a moment and try again."},
	"err_gateway_title":         {"Pembayaran tidak tersedia", "Payments unavailable"},
	"err_gateway":               {"Layanan pembayaran sedang tidak dapat dihubungi. Coba lagi nanti.", "The payment service cannot be reached right now. Try again later."},
	"err_internal_title":        {"Terjadi kesalahan", "Something went wrong"},
	"err_internal":              {"Kami tidak dapat menyelesaikan permintaan ini. Coba lagi nanti.", "We could not complete this request. Try again later."},
	"err_link_gone_title":       {"Tautan tidak berlaku", "This link no longer works"},
	"err_link_gone":             {"Tautan portal ini sudah dipakai atau kedaluwarsa. Minta tautan baru dari toko.", "This portal link was already used or has expired. Ask the merchant for a new link."},
}

// catalog is messages by language.
var catalog = func() map[string]map[string]string {
	out := map[string]map[string]string{"id": {}, "en": {}}
	for k, m := range messages {
		out["id"][k], out["en"][k] = m.id, m.en
	}
	return out
}()

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
