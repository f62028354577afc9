package audit

import "testing"

func TestSettingChangesReadInPlainWords(t *testing.T) {
	cases := map[string]string{
		`{"setting":"max_file_bytes","value":62914560}`:   "File size limit set to 60 MB",
		`{"setting":"records_deletion","value":true}`:     "Records Deletion turned on",
		`{"setting":"records_deletion","value":false}`:    "Records Deletion turned off",
		`{"setting":"lock_after_minutes","value":15}`:     "Lock after 15 minutes of inactivity",
		`{"name":"scan.pdf","size":1048576,"sha256":"x"}`: "scan.pdf",
		`{"rows":1234567}`:                      "1234567 entries",
		`{"name":"scan\u202egnp.exe","size":1}`: "scangnp.exe",
	}
	for detail, want := range cases {
		if got := (Row{Detail: detail}).Summary(); got != want {
			t.Errorf("%s: got %q, want %q", detail, got, want)
		}
	}
}
