package store

import "gorm.io/gorm"

// PersonKey names a staff member or a client.
type PersonKey struct {
	Kind string
	ID   string
}

// Names returns display names for the given people, loading each table once.
// Unknown people map to "Unknown person" so a missing row never hides a message.
func Names(tx *gorm.DB, keys []PersonKey) (map[PersonKey]string, error) {
	var staffIDs, clientIDs []string
	for _, k := range keys {
		if k.Kind == KindStaff {
			staffIDs = append(staffIDs, k.ID)
		} else {
			clientIDs = append(clientIDs, k.ID)
		}
	}
	out := make(map[PersonKey]string, len(keys))
	for _, k := range keys {
		out[k] = "Unknown person"
	}
	for _, ids := range chunk(unique(staffIDs), 500) {
		var ss []Staff
		if err := tx.Select("id, first_name, last_name").Where("id IN ?", ids).Find(&ss).Error; err != nil {
			return nil, err
		}
		for _, s := range ss {
			out[PersonKey{KindStaff, s.ID}] = s.FullName()
		}
	}
	for _, ids := range chunk(unique(clientIDs), 500) {
		var cs []Client
		if err := tx.Select("id, first_name, last_name").Where("id IN ?", ids).Find(&cs).Error; err != nil {
			return nil, err
		}
		for _, c := range cs {
			out[PersonKey{KindClient, c.ID}] = c.FullName()
		}
	}
	return out, nil
}

func unique(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// chunk splits ids so IN lists stay under SQLite's variable limit.
func chunk(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// Chunk is chunk for other packages building IN lists.
func Chunk(ids []string, n int) [][]string { return chunk(ids, n) }

// IsStaffParticipant reports whether staff member staffID takes part in thread threadID.
func IsStaffParticipant(tx *gorm.DB, threadID, staffID string) (bool, error) {
	var n int64
	err := tx.Model(&Participant{}).Where("thread_id = ? AND kind = ? AND person_id = ?", threadID, KindStaff, staffID).Count(&n).Error
	return n > 0, err
}
