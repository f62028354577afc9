#!/usr/bin/python3
"""A tiny drag source for the real-window test: a GTK window whose button
drags the given files (as a text/uri-list), the way a file manager does.
Run with Debian's python3 (python3-gi, gir1.2-gtk-3.0)."""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

uris = [GLib.filename_to_uri(p, None) for p in sys.argv[1:]]

win = Gtk.Window(title="drag-source")
win.set_default_size(160, 80)
win.move(1100, 820)
button = Gtk.Button(label="drag me")
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()


def on_get(widget, context, data, info, time):
    data.set_uris(uris)


def on_end(widget, context):
    print("drag finished", flush=True)


button.connect("drag-data-get", on_get)
button.connect("drag-end", on_end)
win.add(button)
win.connect("destroy", Gtk.main_quit)
win.show_all()
print("ready", flush=True)
Gtk.main()
