package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"testing"
)

func benchData(size int) []byte {
	g := &genReader{left: int64(size), state: 7}
	b := make([]byte, size)
	io.ReadFull(g, b)
	return b
}

// BenchmarkPut stores a new 10 MB file each iteration (no dedup).
func BenchmarkPut(b *testing.B) {
	s := newTestStore(b)
	data := benchData(10 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		binary.BigEndian.PutUint64(data[100:], uint64(i)) // new content every time (still text-ish)
		for j := 100; j < 108; j++ {
			data[j] = 'a' + data[j]%26
		}
		blob, err := s.Put(context.Background(), bytes.NewReader(data), "big.txt", DefaultMaxBytes, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Remove(blob.SHA256)
		b.StartTimer()
	}
}

// BenchmarkPutDedup stores the same 10 MB again (hash + verify existing).
func BenchmarkPutDedup(b *testing.B) {
	s := newTestStore(b)
	data := benchData(10 << 20)
	if _, err := s.Put(context.Background(), bytes.NewReader(data), "big.txt", 0, nil); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := s.Put(context.Background(), bytes.NewReader(data), "big.txt", 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenVerify reads back a 10 MB blob through the verifying reader.
func BenchmarkOpenVerify(b *testing.B) {
	s := newTestStore(b)
	data := benchData(10 << 20)
	blob, err := s.Put(context.Background(), bytes.NewReader(data), "big.txt", 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := s.Verify(blob.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}
