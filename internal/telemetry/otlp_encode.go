package telemetry

import (
	"encoding/binary"
	"errors"
	"math"
)

// A tiny protocol buffers encoder and reader: just what the OTLP messages
// need. The generated code would pull in google.golang.org/protobuf.

// Wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// pbuf appends protobuf fields to b. Methods named after scalar types skip
// zero values, as proto3 does; the *Always forms are for oneof members and
// explicit optional fields, whose presence is itself information.
type pbuf struct{ b []byte }

func (p *pbuf) varint(v uint64) { p.b = binary.AppendUvarint(p.b, v) }

func (p *pbuf) tag(num, wire int) { p.varint(uint64(num)<<3 | uint64(wire)) }

func (p *pbuf) uint64(num int, v uint64) {
	if v != 0 {
		p.tag(num, wireVarint)
		p.varint(v)
	}
}

func (p *pbuf) int64Always(num int, v int64) {
	p.tag(num, wireVarint)
	p.varint(uint64(v))
}

func (p *pbuf) boolAlways(num int, v bool) {
	var n uint64
	if v {
		n = 1
	}
	p.tag(num, wireVarint)
	p.varint(n)
}

func (p *pbuf) fixed64(num int, v uint64) {
	if v != 0 {
		p.fixed64Always(num, v)
	}
}

func (p *pbuf) fixed64Always(num int, v uint64) {
	p.tag(num, wireFixed64)
	p.b = binary.LittleEndian.AppendUint64(p.b, v)
}

func (p *pbuf) fixed32(num int, v uint32) {
	if v != 0 {
		p.tag(num, wireFixed32)
		p.b = binary.LittleEndian.AppendUint32(p.b, v)
	}
}

func (p *pbuf) doubleAlways(num int, v float64) { p.fixed64Always(num, math.Float64bits(v)) }

func (p *pbuf) bytes(num int, v []byte) {
	if len(v) > 0 {
		p.tag(num, wireBytes)
		p.varint(uint64(len(v)))
		p.b = append(p.b, v...)
	}
}

func (p *pbuf) string(num int, v string) {
	if v != "" {
		p.stringAlways(num, v)
	}
}

func (p *pbuf) stringAlways(num int, v string) {
	p.tag(num, wireBytes)
	p.varint(uint64(len(v)))
	p.b = append(p.b, v...)
}

// packedFixed64 writes a packed repeated fixed64 or double field.
func (p *pbuf) packedFixed64(num int, vs []uint64) {
	if len(vs) > 0 {
		p.tag(num, wireBytes)
		p.varint(uint64(8 * len(vs)))
		for _, v := range vs {
			p.b = binary.LittleEndian.AppendUint64(p.b, v)
		}
	}
}

// message writes an embedded message: fn appends its fields, and the length
// prefix, whose size is known only afterwards, is slid in before them.
func (p *pbuf) message(num int, fn func(*pbuf)) {
	p.tag(num, wireBytes)
	start := len(p.b)
	fn(p)
	n := uint64(len(p.b) - start)
	size := len(binary.AppendUvarint(nil, n))
	for range size {
		p.b = append(p.b, 0)
	}
	copy(p.b[start+size:], p.b[start:start+int(n)])
	binary.PutUvarint(p.b[start:], n)
}

var errMalformed = errors.New("malformed protobuf")

// readFields calls fn for each field of the message b: for length-delimited
// fields with the bytes, for the others with the value. It reads replies from
// collectors, which are untrusted input, and never panics on them.
func readFields(b []byte, fn func(num, wire int, v uint64, data []byte)) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 || key>>3 == 0 || key>>3 > math.MaxInt32 {
			return errMalformed
		}
		b = b[n:]
		num, wire := int(key>>3), int(key&7)
		var v uint64
		var data []byte
		switch wire {
		case wireVarint:
			if v, n = binary.Uvarint(b); n <= 0 {
				return errMalformed
			}
			b = b[n:]
		case wireFixed64, wireFixed32:
			size := 8
			if wire == wireFixed32 {
				size = 4
			}
			if len(b) < size {
				return errMalformed
			}
			if v = uint64(binary.LittleEndian.Uint32(b)); size == 8 {
				v = binary.LittleEndian.Uint64(b)
			}
			b = b[size:]
		case wireBytes:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errMalformed
			}
			data, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return errMalformed
		}
		fn(num, wire, v, data)
	}
	return nil
}
