package core

// page cuts one page out of a full, ordered list: limit 0 means no limit.
func page[T any](list []T, offset, limit int) []T {
	if offset < 0 {
		offset = 0
	}
	if offset >= len(list) {
		return nil
	}
	list = list[offset:]
	if limit > 0 && limit < len(list) {
		list = list[:limit]
	}
	return list
}
