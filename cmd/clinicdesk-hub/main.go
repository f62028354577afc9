// Command clinicdesk-hub is the practice hub: the sync API desks join, the
// blob store, and the client portal. It is built from the same backend
// packages as the desk and keeps all of its state in its database and blob
// directory.
//
//	clinicdesk-hub serve --addr :8443 --db hub.db --blobs ./blobs --cert cert.pem --key key.pem
//	clinicdesk-hub serve --addr 127.0.0.1:8080 --db postgres://user:pw@db/clinicdesk --blobs /srv/blobs --behind-tls-proxy
//	clinicdesk-hub enroll-code --db hub.db --blobs ./blobs
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"clinicdesk/backend/hub"
	"clinicdesk/backend/version"
)

func main() {
	log.SetFlags(log.LstdFlags)
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && (args[0][0] != '-' || args[0] == "--version" || args[0] == "-version") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "enroll-code":
		err = enrollCode(args)
	case "version", "-version", "--version":
		fmt.Println(version.String("clinicdesk-hub"))
		return
	case "help", "-h", "--help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "clinicdesk-hub:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `clinicdesk-hub: the ClinicDesk practice hub (sync API, files, client portal)

  clinicdesk-hub serve [flags]        run the hub
  clinicdesk-hub enroll-code [flags]  print a one-time code to join a desk (valid 24 hours)
  clinicdesk-hub --version            print the version

Flags (both): --db PATH|postgres://...  --blobs DIR
Flags (serve): --addr HOST:PORT --cert FILE --key FILE --behind-tls-proxy --max-clock-ahead 5m
`)
}

type common struct {
	db, blobs string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", "clinicdesk-hub.db", "SQLite database file, or a postgres://user:password@host/db DSN")
	fs.StringVar(&c.blobs, "blobs", "clinicdesk-hub-files", "directory of the blob store (shared storage when several hubs serve one practice)")
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var c common
	c.register(fs)
	addr := fs.String("addr", "127.0.0.1:8443", "address to listen on")
	cert := fs.String("cert", "", "TLS certificate file (PEM)")
	key := fs.String("key", "", "TLS private key file (PEM)")
	proxy := fs.Bool("behind-tls-proxy", false, "plain HTTP behind a proxy that terminates TLS (portal cookies are still marked Secure)")
	ahead := fs.Duration("max-clock-ahead", 5*time.Minute, "refuse changes stamped further ahead of this server's clock")
	fs.Parse(args)
	if (*cert == "") != (*key == "") {
		return errors.New("give both --cert and --key, or neither")
	}
	if *cert == "" && !*proxy {
		log.Printf("warning: serving plain HTTP; use --cert/--key, or --behind-tls-proxy when a proxy adds TLS")
	}
	h, err := hub.Open(hub.Config{DB: c.db, BlobDir: c.blobs, SecureCookies: *cert != "" || *proxy, MaxAhead: *ahead,
		Logger: log.New(os.Stderr, "hub: ", log.LstdFlags)})
	if err != nil {
		return err
	}
	defer h.Close()
	p, _ := h.Practice()
	srv := &http.Server{Addr: *addr, Handler: h.Handler(), ReadHeaderTimeout: 15 * time.Second, IdleTimeout: 2 * time.Minute}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		log.Printf("%s listening on %s (practice: %s; portal at /portal/)", version.String("clinicdesk-hub"), *addr, p)
		if *cert != "" {
			errc <- srv.ListenAndServeTLS(*cert, *key)
		} else {
			errc <- srv.ListenAndServe()
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

func enrollCode(args []string) error {
	fs := flag.NewFlagSet("enroll-code", flag.ExitOnError)
	var c common
	c.register(fs)
	fs.Parse(args)
	h, err := hub.Open(hub.Config{DB: c.db, BlobDir: c.blobs, Logger: log.New(os.Stderr, "hub: ", 0)})
	if err != nil {
		return err
	}
	defer h.Close()
	code, exp, err := h.NewEnrollCode("cli")
	if err != nil {
		return err
	}
	fmt.Println(code)
	fmt.Fprintf(os.Stderr, "one-time enrollment code, valid until %s\n", exp.Format(time.RFC3339))
	return nil
}
