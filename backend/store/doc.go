// Package store owns the desk's database: the gorm models, opening SQLite with
// the right pragmas, versioned migrations, and the transaction helper.
//
// It holds no business rules (those live in access, messaging, attachments,
// calendar) and never imports Wails. Every other package reaches the database
// through a *store.DB and writes that belong together inside DB.Tx.
package store
