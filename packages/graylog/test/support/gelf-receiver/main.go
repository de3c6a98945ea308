// Test receiver for the Graylog backend: decodes GELF with the Graylog project's own Go
// library (github.com/Graylog2/go-gelf, Debian's golang-github-graylog2-go-gelf-dev) and prints
// every decoded message as one JSON line on stdout. The first line is {"ready":"host:port"}.
//
//	gelf-receiver -proto udp|tcp|tls -addr 127.0.0.1:0 [-cert c.pem -key k.pem]
//
// UDP uses the library's Reader (chunking, gzip, zlib). The library has no public TCP reader,
// so TCP/TLS split the stream on null bytes here and decode each frame with gelf.Message.
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"sync"

	"github.com/Graylog2/go-gelf/gelf"
)

var out = struct {
	sync.Mutex
	w *bufio.Writer
}{w: bufio.NewWriter(os.Stdout)}

func emit(v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	out.Lock()
	out.w.Write(b)
	out.w.WriteByte('\n')
	out.w.Flush()
	out.Unlock()
}

func report(m *gelf.Message) {
	emit(map[string]interface{}{
		"version":       m.Version,
		"host":          m.Host,
		"short_message": m.Short,
		"full_message":  m.Full,
		"timestamp":     m.TimeUnix,
		"level":         m.Level,
		"extra":         m.Extra,
	})
}

func serveStream(ln net.Listener) {
	emit(map[string]string{"ready": ln.Addr().String()})
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			r := bufio.NewReaderSize(c, 1<<20)
			for {
				frame, err := r.ReadBytes(0)
				if len(frame) > 0 && frame[len(frame)-1] == 0 {
					frame = frame[:len(frame)-1]
				}
				if len(bytes.TrimSpace(frame)) > 0 && (err == nil) {
					m := new(gelf.Message)
					if uerr := m.UnmarshalJSON(frame); uerr != nil {
						emit(map[string]string{"error": uerr.Error()})
					} else {
						report(m)
					}
				}
				if err != nil {
					return
				}
			}
		}(conn)
	}
}

func main() {
	proto := flag.String("proto", "udp", "udp, tcp or tls")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	cert := flag.String("cert", "", "TLS certificate (PEM)")
	key := flag.String("key", "", "TLS key (PEM)")
	flag.Parse()

	switch *proto {
	case "udp":
		r, err := gelf.NewReader(*addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		emit(map[string]string{"ready": r.Addr()})
		for {
			m, err := r.ReadMessage()
			if err != nil {
				emit(map[string]string{"error": err.Error()})
				continue
			}
			report(m)
		}
	case "tcp":
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		serveStream(ln)
	case "tls":
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		ln, err := tls.Listen("tcp", *addr, &tls.Config{Certificates: []tls.Certificate{pair}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		serveStream(ln)
	default:
		fmt.Fprintln(os.Stderr, "unknown -proto", *proto)
		os.Exit(2)
	}
}
