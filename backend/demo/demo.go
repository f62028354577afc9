// Package demo generates the synthetic demo practice a new desk opens on:
// staff in every role, clients, a week of appointments around today, and
// one-to-one and group threads with real small PDF, PNG and text attachments,
// some shared with all staff and some private.
//
// Every name, date and message is generated: there is no real person here.
// It must never write into a database that already holds a practice.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"clinicdesk/backend/auth"
	"clinicdesk/backend/clock"
	"clinicdesk/backend/files"
	"clinicdesk/backend/store"
)

// PIN is the sign-in PIN of every demo staff member; the sign-in screen shows
// it while the practice is the demo.
const PIN = "246810"

// PracticeName names the demo practice.
const PracticeName = "Riverbend Wellness (demo)"

// ErrNotEmpty is returned when the database already holds a practice.
var ErrNotEmpty = fmt.Errorf("the database already holds a practice; the demo is only created in an empty one")

// Staff of the demo practice, one of each role at least.
var demoStaff = []struct{ first, last, role string }{
	{"Olivia", "Hart", store.RoleOwner},
	{"Marcus", "Reid", store.RoleManager},
	{"Priya", "Natarajan", store.RoleClinician},
	{"Samuel", "Okafor", store.RoleClinician},
	{"Hannah", "Lind", store.RoleClinician},
	{"Jordan", "Blake", store.RoleFrontDesk},
}

var firstNames = []string{"Avery", "Bianca", "Caleb", "Dara", "Elliot", "Farah", "Gideon", "Harper", "Imani", "Jonah",
	"Keira", "Liam", "Maya", "Nico", "Opal", "Pedro", "Quinn", "Rosa", "Silas", "Tessa", "Umar", "Vera", "Wes", "Ximena",
	"Yusuf", "Zara", "Aiden", "Beatrix", "Cyrus", "Delia"}
var lastNames = []string{"Abbott", "Baptiste", "Castillo", "Dunmore", "Ellison", "Fairweather", "Galloway", "Holloway",
	"Ingram", "Jansen", "Kowalski", "Lachance", "Moreau", "Nakamura", "Oyelaran", "Pellegrini", "Quimby", "Rasmussen",
	"Sorensen", "Tavares", "Underhill", "Vasquez", "Whitlock", "Yamada", "Zielinski"}

var subjects = []string{"Intake forms before your first visit", "Rescheduling next week", "Insurance card update",
	"Worksheet from today's session", "Question about the sleep diary", "Referral letter", "Receipt for your records",
	"Reading you asked about", "Parking at the new office", "Check-in after the holidays", "Group session schedule",
	"Homework for next session"}

var staffLines = []string{"Thanks for getting in touch. I've attached what we discussed.", "Here is the form — fill in what you can and bring it along.",
	"Just confirming we're all set for next week.", "Could you send a photo of the front and back of your insurance card?",
	"Good to hear from you. Let's go over this at your next appointment.", "I've shared this with the front desk so they can update your file."}
var clientLines = []string{"Thank you! I'll look at it tonight.", "Here's the picture of my card.", "Is it OK if I come 10 minutes late?",
	"I filled it in, attached.", "Could we move to the afternoon slot?", "That worked, thanks for the help."}

// promisedFile names the demo file a message line speaks of: a message that
// says "here's the picture of my card" carries the picture.
var promisedFile = map[string]string{
	"Thanks for getting in touch. I've attached what we discussed.": "Referral letter.pdf",
	"Here is the form — fill in what you can and bring it along.":   "Intake form.pdf",
	"Here's the picture of my card.":                                "Insurance card.png",
	"I filled it in, attached.":                                     "Intake form.pdf",
}

// sample returns the demo file with the given name.
func (g *gen) sample(name string) sampleFile {
	for _, s := range g.samples {
		if s.name == name {
			return s
		}
	}
	panic("demo: no sample file " + name)
}

var alerts = []string{"Prefers text reminders; please don't leave voicemails.", "Uses they/them pronouns.",
	"Balance outstanding — please check at front desk.", "Hard of hearing: face the client when speaking.", ""}

// Generate fills an empty database with the demo practice, storing its files
// in blobs. now anchors the week of appointments.
func Generate(ctx context.Context, db *store.DB, blobs *files.Store, now time.Time) error {
	empty, err := db.IsEmpty()
	if err != nil {
		return err
	}
	if !empty {
		return ErrNotEmpty
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	pinHash, err := auth.Hash(PIN)
	if err != nil {
		return err
	}
	// Each demo staff member gets a signing key sealed under the demo PIN
	// (one argon2id derivation for all of them: they share the PIN).
	sealer, err := auth.NewSealer(PIN)
	if err != nil {
		return err
	}
	sample, err := storeSamples(ctx, blobs)
	if err != nil {
		return err
	}
	return db.Tx(func(tx *gorm.DB) error {
		g := &gen{tx: tx, rng: rng, now: now.UTC(), samples: sample, sealer: sealer}
		return g.run(pinHash)
	})
}

type sampleFile struct {
	blob files.Blob
	name string
}

// storeSamples writes the demo's files (a PDF, a PNG, a text file, a CSV)
// into the blob store.
func storeSamples(ctx context.Context, blobs *files.Store) ([]sampleFile, error) {
	srcs := []struct {
		name string
		data []byte
	}{
		{"Intake form.pdf", SamplePDF("Riverbend Wellness - Intake form", "Name: ____________   Date of birth: ________", "Reason for visit: ______________________")},
		{"Insurance card.png", SamplePNG(320, 200, 2)},
		{"Sleep diary.txt", []byte("Sleep diary (demo)\nMon: 23:30-06:45, woke twice\nTue: 23:10-07:00\nWed: 00:15-06:30, restless\n")},
		{"Referral letter.pdf", SamplePDF("Referral letter (demo)", "Dear colleague,", "I am referring this client for follow-up care.")},
		{"Breathing exercise.png", SamplePNG(240, 240, 5)},
		{"Mood log.csv", []byte("date,mood,notes\n2026-11-01,6,ok\n2026-11-02,4,tired\n2026-11-03,7,walked\n")},
	}
	out := make([]sampleFile, 0, len(srcs))
	for _, s := range srcs {
		b, err := blobs.Put(ctx, bytes.NewReader(s.data), s.name, 0, nil)
		if err != nil {
			return nil, fmt.Errorf("store demo file %s: %w", s.name, err)
		}
		out = append(out, sampleFile{b, s.name})
	}
	return out, nil
}

type gen struct {
	tx      *gorm.DB
	rng     *rand.Rand
	now     time.Time
	samples []sampleFile
	staff   []store.Staff
	clients []store.Client
	sealer  *auth.Sealer
}

func (g *gen) create(v any) error { return g.tx.Create(v).Error }

func (g *gen) run(pinHash string) error {
	if err := g.create(&store.Settings{ID: 1, PracticeName: PracticeName, MaxFileBytes: files.DefaultMaxBytes, LockAfterMinutes: 10,
		Demo: true, UpdatedAt: g.now}); err != nil {
		return err
	}
	for _, s := range g.samples {
		if err := g.create(&store.Blob{SHA256: s.blob.SHA256, Size: s.blob.Size, MIME: s.blob.MIME, CreatedAt: g.now}); err != nil {
			return err
		}
	}
	for _, d := range demoStaff {
		st := store.Staff{ID: clock.NewID(), FirstName: d.first, LastName: d.last, Role: d.role,
			Email: fmt.Sprintf("%s.%s@riverbend.example", lower(d.first), lower(d.last)), Credential: pinHash, Active: true, CreatedAt: g.now, UpdatedAt: g.now}
		var err error
		if st.SigningKey, st.SealedKey, err = g.sealer.NewKey(st.ID); err != nil {
			return err
		}
		if err := g.create(&st); err != nil {
			return err
		}
		g.staff = append(g.staff, st)
	}
	used := map[string]bool{}
	for len(g.clients) < 40 {
		first, last := firstNames[g.rng.IntN(len(firstNames))], lastNames[g.rng.IntN(len(lastNames))]
		if used[first+last] {
			continue
		}
		used[first+last] = true
		dob := time.Date(1950+g.rng.IntN(55), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
		c := store.Client{ID: clock.NewID(), FirstName: first, LastName: last, DateOfBirth: dob.Format("2006-01-02"),
			Email: fmt.Sprintf("%s.%s@mail.example", lower(first), lower(last)), Phone: fmt.Sprintf("555-01%02d", len(g.clients)),
			CreatedAt: g.now, UpdatedAt: g.now}
		if len(g.clients)%4 == 0 {
			c.Alert = alerts[(len(g.clients)/4)%len(alerts)]
		}
		if err := g.create(&c); err != nil {
			return err
		}
		g.clients = append(g.clients, c)
	}
	if err := g.appointments(); err != nil {
		return err
	}
	return g.threads()
}

func (g *gen) clinicians() []store.Staff {
	var out []store.Staff
	for _, s := range g.staff {
		if s.Role == store.RoleClinician {
			out = append(out, s)
		}
	}
	return out
}

// appointments books a week around today: weekdays 9:00–17:00 local-ish (UTC), 50 minutes each.
func (g *gen) appointments() error {
	day0 := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, time.UTC)
	services := []string{"Individual therapy", "Initial assessment", "Follow-up", "Couples session"}
	for d := -3; d <= 4; d++ {
		day := day0.AddDate(0, 0, d)
		for ci, cl := range g.clinicians() {
			for slot := 0; slot < 8; slot++ {
				if g.rng.IntN(10) < 4 {
					continue
				}
				start := day.Add(time.Duration(9+slot) * time.Hour)
				client := g.clients[(ci*13+slot*3+d+40)%len(g.clients)]
				status := store.ApptScheduled
				if start.Before(g.now) {
					status = store.ApptCompleted
				}
				if g.rng.IntN(15) == 0 {
					status = store.ApptCancelled
				}
				a := store.Appointment{ID: clock.NewID(), ClientID: client.ID, StaffID: cl.ID, StartsAt: start, EndsAt: start.Add(50 * time.Minute),
					Service: services[g.rng.IntN(len(services))], Location: fmt.Sprintf("Room %d", ci+1), Status: status, CreatedAt: g.now, UpdatedAt: g.now}
				if err := g.create(&a); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// threads writes one-to-one and group threads. Every clinician gets threads
// with several clients; the front desk and the manager take part in some.
func (g *gen) threads() error {
	cls := g.clinicians()
	front, manager := g.staff[5], g.staff[1]
	n := 0
	for ci, cl := range cls {
		for k := 0; k < 10; k++ {
			client := g.clients[(ci*7+k*3)%len(g.clients)]
			staff := []store.Staff{cl}
			clients := []store.Client{client}
			switch k % 5 {
			case 1:
				staff = append(staff, front) // group: clinician, front desk, client
			case 3:
				clients = append(clients, g.clients[(ci*7+k*3+1)%len(g.clients)]) // group: family members
			case 4:
				if ci == 0 {
					staff = append(staff, manager)
				}
			}
			if err := g.thread(n, staff, clients); err != nil {
				return err
			}
			n++
		}
	}
	// The first client has threads with several clinicians, so their Messages
	// tab shows a mix for whoever signs in.
	return g.thread(n, []store.Staff{front, cls[1]}, []store.Client{g.clients[0]})
}

func (g *gen) thread(n int, staff []store.Staff, clients []store.Client) error {
	start := g.now.Add(-time.Duration(2+g.rng.IntN(30*24)) * time.Hour)
	th := store.Thread{ID: clock.NewID(), Subject: subjects[n%len(subjects)], CreatedByKind: store.KindStaff, CreatedByID: staff[0].ID, CreatedAt: start}
	type author struct{ kind, id string }
	var people []author
	for _, s := range staff {
		people = append(people, author{store.KindStaff, s.ID})
	}
	for _, c := range clients {
		people = append(people, author{store.KindClient, c.ID})
	}
	count := 2 + g.rng.IntN(5)
	t := start
	var msgs []store.Message
	var atts []store.Attachment
	for i := 0; i < count; i++ {
		who := people[0]
		if i%2 == 1 {
			who = people[len(staff)+g.rng.IntN(len(clients))]
		} else if i > 0 {
			who = people[g.rng.IntN(len(staff))]
		}
		body := staffLines[g.rng.IntN(len(staffLines))]
		if who.kind == store.KindClient {
			body = clientLines[g.rng.IntN(len(clientLines))]
		}
		m := store.Message{ID: clock.NewID(), ThreadID: th.ID, AuthorKind: who.kind, AuthorID: who.id, Body: body, CreatedAt: t}
		msgs = append(msgs, m)
		// A line that speaks of a file carries that file; the random
		// choices are drawn as before, so the rest of the demo is the same.
		promised, promises := promisedFile[body]
		random := g.rng.IntN(3) == 0 || (n%4 == 0 && i == 0)
		if random || promises {
			var s sampleFile
			if random {
				s = g.samples[g.rng.IntN(len(g.samples))]
			}
			if promises {
				s = g.sample(promised)
			}
			a := store.Attachment{ID: clock.NewID(), MessageID: m.ID, ThreadID: th.ID, BlobSHA256: s.blob.SHA256, Name: s.name, MIME: s.blob.MIME,
				Size: s.blob.Size, SenderKind: who.kind, SenderID: who.id, CreatedAt: t}
			if random && g.rng.IntN(3) == 0 { // some are shared with all staff by a staff participant
				a.SharedWithStaff = true
				by := staff[0].ID
				if who.kind == store.KindStaff {
					by = who.id
				}
				at := t.Add(time.Hour)
				a.SharedByStaffID, a.SharedAt = &by, &at
			}
			atts = append(atts, a)
		}
		t = t.Add(time.Duration(1+g.rng.IntN(40)) * time.Hour)
		if t.After(g.now) {
			t = g.now.Add(-time.Duration(count-i) * time.Minute)
		}
	}
	th.LastActivityAt = msgs[len(msgs)-1].CreatedAt
	if err := g.create(&th); err != nil {
		return err
	}
	for _, p := range people {
		part := store.Participant{ID: clock.NewID(), ThreadID: th.ID, Kind: p.kind, PersonID: p.id, JoinedAt: start}
		if p.kind == store.KindStaff && g.rng.IntN(2) == 0 {
			read := th.LastActivityAt // some threads are read, others have unread messages
			part.LastReadAt = &read
		}
		if err := g.create(&part); err != nil {
			return err
		}
	}
	for i := range msgs {
		if err := g.create(&msgs[i]); err != nil {
			return err
		}
	}
	for i := range atts {
		if err := g.create(&atts[i]); err != nil {
			return err
		}
	}
	return nil
}

func lower(s string) string { return string(bytes.ToLower([]byte(s))) }
