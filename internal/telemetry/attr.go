package telemetry

import (
	"cmp"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Attr is a key and a value: a string, bool, int, int64 or float64. Other
// integer and float types are converted; any other type is recorded as a
// string naming the type, never by formatting the value (which could leak
// whatever it holds).
type Attr struct {
	Key   string
	Value any
}

// String returns a string attribute.
func String(k, v string) Attr { return Attr{Key: k, Value: v} }

// Int returns an integer attribute (exported as int64).
func Int(k string, v int) Attr { return Attr{Key: k, Value: v} }

// Int64 returns an integer attribute.
func Int64(k string, v int64) Attr { return Attr{Key: k, Value: v} }

// Bool returns a boolean attribute.
func Bool(k string, v bool) Attr { return Attr{Key: k, Value: v} }

// Float returns a floating-point attribute.
func Float(k string, v float64) Attr { return Attr{Key: k, Value: v} }

// normAttrs appends to dst a normalised copy of attrs: values reduced to
// string, bool, int64 or float64, strings passed through sanitize, and a later
// duplicate key replacing an earlier one.
//
// It copies keys and unboxes values rather than keeping the caller's Attr, so
// that the variadic slice and the interface boxes built by String, Int... do
// not escape: on the disabled path, where this is never called, callers then
// allocate nothing.
func normAttrs(dst []Attr, attrs []Attr, sanitize func(string) string) []Attr {
	for i := range attrs {
		a := Attr{Key: strings.Clone(attrs[i].Key), Value: normValue(attrs[i].Value, sanitize)}
		if j := slices.IndexFunc(dst, func(b Attr) bool { return b.Key == a.Key }); j >= 0 {
			dst[j] = a
			continue
		}
		dst = append(dst, a)
	}
	return dst
}

func normValue(v any, sanitize func(string) string) any {
	switch v := v.(type) {
	case string:
		return sanitize(v)
	case bool:
		return v
	case int:
		return int64(v)
	case int64:
		return v
	case int32:
		return int64(v)
	case int16:
		return int64(v)
	case int8:
		return int64(v)
	case uint:
		return clampUint(uint64(v))
	case uint64:
		return clampUint(v)
	case uint32:
		return int64(v)
	case uint16:
		return int64(v)
	case uint8:
		return int64(v)
	case float64:
		return v
	case float32:
		return float64(v)
	case nil:
		return ""
	default:
		return "unsupported attribute type " + reflect.TypeOf(v).String()
	}
}

func clampUint(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

func identity(s string) string { return s }

// sortAttrs sorts attributes by key, the order in which they are compared,
// exported and written.
func sortAttrs(attrs []Attr) {
	slices.SortFunc(attrs, func(a, b Attr) int { return cmp.Compare(a.Key, b.Key) })
}

// attrSetKey returns a string identifying a sorted, normalised attribute set,
// used to find a metric's data point.
func attrSetKey(attrs []Attr) string {
	var b []byte
	for _, a := range attrs {
		b = strconv.AppendQuote(b, a.Key)
		switch v := a.Value.(type) {
		case string:
			b = append(b, 's')
			b = strconv.AppendQuote(b, v)
		case bool:
			b = append(b, 'b')
			b = strconv.AppendBool(b, v)
		case int64:
			b = append(b, 'i')
			b = strconv.AppendInt(b, v, 10)
		case float64:
			b = append(b, 'f')
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
		b = append(b, ',')
	}
	return string(b)
}
