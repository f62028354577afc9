package clients_test

import (
	"slices"
	"strings"
	"testing"

	"clinicdesk/backend/access"
	"clinicdesk/backend/apperr"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/desk"
	"clinicdesk/backend/store"
	"clinicdesk/backend/sync"
	"clinicdesk/backend/testutil"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func addClient(t *testing.T, d *desk.Desk, first, last, phone, email string) store.Client {
	t.Helper()
	c := store.Client{ID: clock.NewID(), FirstName: first, LastName: last, Phone: phone, Email: email, DateOfBirth: "1985-03-04",
		CreatedAt: testutil.Now, UpdatedAt: testutil.Now}
	must(t, d.DB.Create(&c).Error)
	return c
}

func searchNames(t *testing.T, d *desk.Desk, a access.Actor, q string) []string {
	t.Helper()
	rows, err := d.Clients.Search(a, q, 0)
	must(t, err)
	var out []string
	for _, r := range rows {
		out = append(out, r.Name)
	}
	return out
}

func searchDesk(t *testing.T) (*desk.Desk, access.Actor) {
	d, _ := testutil.Desk(t, false)
	a := testutil.Actor(testutil.AddStaff(t, d, "Fran", store.RoleFrontDesk))
	addClient(t, d, "Casey", "Abbott", "555-0101", "casey@example.test")
	addClient(t, d, "Casimir", "Baptiste", "555-0202", "cb@example.test")
	addClient(t, d, "Dana", "Castillo", "555-0303", "dana@example.test")
	addClient(t, d, "Percy", "100%Sure", "555-0404", "percy@example.test")
	addClient(t, d, "Under", "Score_Name", "555-0505", "u@example.test")
	return d, a
}

func TestSearchFindsPartialNamesAndPhones(t *testing.T) {
	d, a := searchDesk(t)
	cases := map[string][]string{
		"cas":     {"Casey Abbott", "Casimir Baptiste", "Dana Castillo"}, // first or last name, any case
		"CASEY":   {"Casey Abbott"},
		"0303":    {"Dana Castillo"},
		"555-02":  {"Casimir Baptiste"},
		"cb@exam": {"Casimir Baptiste"},
		"1985-03": {"Percy 100%Sure", "Casey Abbott", "Casimir Baptiste", "Dana Castillo", "Under Score_Name"},
		"nobody":  nil,
		"":        {"Percy 100%Sure", "Casey Abbott", "Casimir Baptiste", "Dana Castillo", "Under Score_Name"},
		"   ":     {"Percy 100%Sure", "Casey Abbott", "Casimir Baptiste", "Dana Castillo", "Under Score_Name"},
	}
	for q, want := range cases {
		if got := searchNames(t, d, a, q); !slices.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
}

func TestSearchANDsSeveralWords(t *testing.T) {
	d, a := searchDesk(t)
	cases := map[string][]string{
		"cas abbott":      {"Casey Abbott"},
		"abbott cas":      {"Casey Abbott"},
		"cas 0202":        {"Casimir Baptiste"},
		"dana  0303 ":     {"Dana Castillo"},
		"casey 0202":      nil,
		"cas castillo zz": nil,
	}
	for q, want := range cases {
		if got := searchNames(t, d, a, q); !slices.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
}

func TestSearchTreatsLikeWildcardsLiterally(t *testing.T) {
	d, a := searchDesk(t)
	cases := map[string][]string{
		"%":     {"Percy 100%Sure"},
		"100%":  {"Percy 100%Sure"},
		"%sure": {"Percy 100%Sure"},
		"_":     {"Under Score_Name"},
		"e_n":   {"Under Score_Name"},
		"c_sey": nil, // "_" is not "any one character"
		"ca%ey": nil, // "%" is not "anything"
		`\`:     nil,
		`100\%`: nil,
	}
	for q, want := range cases {
		if got := searchNames(t, d, a, q); !slices.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
	if _, err := d.Clients.Search(a, strings.Repeat("x", 101), 0); !apperr.Is(err, apperr.InvalidInput) {
		t.Errorf("a 101-character search: %v", err)
	}
	if _, err := d.Clients.Search(access.Actor{}, "cas", 0); !apperr.Is(err, apperr.NotSignedIn) {
		t.Errorf("search signed out: %v", err)
	}
	if got, _ := d.Clients.Search(a, "", 2); len(got) != 2 {
		t.Errorf("limit 2 returned %d", len(got))
	}
}

type alertWrites struct{ audit, changes int64 }

func writes(t *testing.T, d *desk.Desk) alertWrites {
	var w alertWrites
	d.DB.Model(&store.AuditEvent{}).Where("action = ?", "client_alert_changed").Count(&w.audit)
	n, err := sync.PendingCount(d.DB.DB)
	must(t, err)
	w.changes = n
	return w
}

func alertOf(t *testing.T, d *desk.Desk, id string) string {
	var c store.Client
	must(t, d.DB.First(&c, "id = ?", id).Error)
	return c.Alert
}

func TestClientAlertIsAtMost500CharactersTrimmedAndAudited(t *testing.T) {
	d, clk := testutil.Desk(t, false)
	a := testutil.Actor(testutil.AddStaff(t, d, "Fran", store.RoleFrontDesk))
	c := testutil.AddClient(t, d, "Casey")

	before := writes(t, d)
	p, err := d.Clients.SetAlert(a, c.ID, "   Prefers mornings \n")
	must(t, err)
	if p.Alert != "Prefers mornings" || alertOf(t, d, c.ID) != "Prefers mornings" {
		t.Fatalf("alert not trimmed: %q", p.Alert)
	}
	after := writes(t, d)
	if after.audit != before.audit+1 || after.changes != before.changes+1 {
		t.Fatalf("writes %+v → %+v, want one audit entry and one change", before, after)
	}
	var ev store.AuditEvent
	must(t, d.DB.Where("action = ?", "client_alert_changed").Order("seq DESC").First(&ev).Error)
	if ev.StaffID != a.StaffID || ev.ClientID != c.ID || !ev.At.Equal(clk.Now()) {
		t.Errorf("audit entry = %+v", ev)
	}

	// Exactly 500 characters (1000 bytes) is allowed, padding aside.
	max := strings.Repeat("é", 500)
	_, err = d.Clients.SetAlert(a, c.ID, "  "+max+"  ")
	must(t, err)
	if alertOf(t, d, c.ID) != max {
		t.Fatal("a 500-character alert was not stored whole")
	}

	before = writes(t, d)
	for _, long := range []string{strings.Repeat("x", 501), strings.Repeat("é", 501)} {
		if _, err := d.Clients.SetAlert(a, c.ID, long); !apperr.Is(err, apperr.InvalidInput) {
			t.Errorf("501-character alert: %v, want invalid_input", err)
		}
	}
	if alertOf(t, d, c.ID) != max || writes(t, d) != before {
		t.Fatal("a refused alert wrote something")
	}
	// Saving the same text again writes nothing; clearing is allowed.
	_, err = d.Clients.SetAlert(a, c.ID, max)
	must(t, err)
	if writes(t, d) != before {
		t.Error("an unchanged alert was written again")
	}
	p, err = d.Clients.SetAlert(a, c.ID, "  ")
	must(t, err)
	if p.Alert != "" {
		t.Errorf("alert not cleared: %q", p.Alert)
	}
}

func TestUnknownClientIsNotFound(t *testing.T) {
	d, _ := testutil.Desk(t, false)
	a := testutil.Actor(testutil.AddStaff(t, d, "Fran", store.RoleFrontDesk))
	before := writes(t, d)
	if _, err := d.Clients.Profile(a, "no-such-client"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("profile: %v, want not_found", err)
	}
	if _, err := d.Clients.SetAlert(a, "no-such-client", "x"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("set alert: %v, want not_found", err)
	}
	if _, err := d.Clients.Documents(a, "no-such-client"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("documents: %v, want not_found", err)
	}
	if writes(t, d) != before {
		t.Error("a not-found client caused writes")
	}
	if _, err := d.Clients.Profile(access.Actor{}, "x"); !apperr.Is(err, apperr.NotSignedIn) {
		t.Errorf("profile signed out: %v", err)
	}
}
