// Package messaging owns threads and messages: the thread list of a client's
// Messages tab with unread counts, opening a thread (which marks it read),
// composing a thread (one-to-one or group) and replying, with attachments that
// were staged first.
//
// Messages are append-only. There is deliberately no way to message all
// clients: every thread names its people. This package must never show a
// staff member a thread they do not take part in.
package messaging
