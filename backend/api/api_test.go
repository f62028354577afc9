package api

import (
	"encoding/json"
	"errors"
	"testing"

	"clinicdesk/backend/apperr"
)

func TestFormatErrorGivesTheUICodeAndPlainWordsButHidesInternals(t *testing.T) {
	var got map[string]string
	if err := json.Unmarshal([]byte(FormatError(apperr.Invalid("subject", "Please write a subject.")).(string)), &got); err != nil {
		t.Fatal(err)
	}
	if got["code"] != "invalid_input" || got["message"] != "Please write a subject." || got["field"] != "subject" {
		t.Fatalf("typed error: %v", got)
	}
	if err := json.Unmarshal([]byte(FormatError(errors.New("near \"SELEC\": syntax error")).(string)), &got); err != nil {
		t.Fatal(err)
	}
	if got["code"] != "internal" || got["message"] == "" || got["message"] == "near \"SELEC\": syntax error" {
		t.Fatalf("internal error leaked or unexplained: %v", got)
	}
}
