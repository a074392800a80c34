package tool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// decodeArgs decodes a call's JSON arguments into v, rejecting unknown
// fields. On failure it returns an error Result telling the model what the
// arguments should look like (usage), and false.
func decodeArgs(tool string, args json.RawMessage, v any, usage string) (Result, bool) {
	trimmed := bytes.TrimSpace(args)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		trimmed = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the arguments object")
	}
	if err == nil {
		return Result{}, true
	}
	return Errorf("%s: invalid arguments: %s; expected %s", tool, describeArgsError(err), usage), false
}

// describeArgsError rewords encoding/json errors without Go type names.
func describeArgsError(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return fmt.Sprintf("the arguments must be a JSON object, got %s", typeErr.Value)
		}
		return fmt.Sprintf("%q must be %s, got %s", typeErr.Field, jsonKind(typeErr.Type), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("the arguments are not valid JSON (%v)", syntaxErr)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the arguments are not valid JSON (they end too early)"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	if t == reflect.TypeFor[intArg]() {
		return "an integer"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a " + t.Kind().String()
}

// intArg is an integer argument. Models sometimes send 10.0 or "10"; both
// are accepted when they hold a whole number.
type intArg int

func (n *intArg) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if u, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(u)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[intArg]()}
	}
	*n = intArg(f)
	return nil
}
