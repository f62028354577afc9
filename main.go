// ClinicDesk: the front desk of a clinic, offline first, centred on the
// client profile's Messages tab. main.go holds options and wiring only;
// behaviour lives in backend/.
package main

import (
	"embed"
	"flag"
	"fmt"
	"log"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"clinicdesk/backend/api"
	"clinicdesk/backend/store"
	"clinicdesk/backend/version"
)

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	dataDir := flag.String("data-dir", "", "where the practice's data lives (default: $CLINICDESK_DATA, then <config dir>/ClinicDesk)")
	noDemo := flag.Bool("no-demo", false, "do not create the demo practice in an empty data directory")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("%s, database schema %d\n", version.String("clinicdesk"), store.LatestVersion())
		return
	}

	app := NewApp(*dataDir, !*noDemo)
	err := wails.Run(&options.App{
		Title:     "ClinicDesk",
		Width:     1280,
		Height:    820,
		MinWidth:  1024,
		MinHeight: 680,
		AssetServer: &assetserver.Options{
			Assets:  assets,
			Handler: api.PreviewHandler(app.base),
		},
		BackgroundColour: &options.RGBA{R: 248, G: 250, B: 252, A: 255},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		Bind:             api.Bindings(app.base),
		ErrorFormatter:   api.FormatError,
		DragAndDrop: &options.DragAndDrop{
			EnableFileDrop: true,
			// Not DisableWebViewDrop: on Linux it unsets the webview as a GTK
			// drop target, so no file drop arrives at all (wails #3563). The
			// frontend stops WebKit from opening a dropped file instead.
			CSSDropProperty: "--wails-drop-target",
			CSSDropValue:    "drop",
		},
		Linux: &linux.Options{ProgramName: "clinicdesk", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if err != nil {
		log.Fatal(err)
	}
}
