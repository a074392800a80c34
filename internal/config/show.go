package config

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
)

type shownSetting struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
	Source
}

// Show writes every key with its value and source, as an aligned table
// followed by any warnings, or as JSON ({"settings": [...], "warnings": [...]}).
func (l *Loaded) Show(w io.Writer, jsonOut bool) error {
	var settings []shownSetting
	for _, key := range Keys() {
		v, _ := field(&l.Config, key)
		if v.Kind() == reflect.Slice && v.IsNil() {
			v = reflect.MakeSlice(v.Type(), 0, 0) // [] rather than null in JSON
		}
		settings = append(settings, shownSetting{Key: key, Value: v.Interface(), Source: l.Sources[key]})
	}
	if jsonOut {
		warnings := l.Warnings
		if warnings == nil {
			warnings = []string{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Settings []shownSetting `json:"settings"`
			Warnings []string       `json:"warnings"`
		}{settings, warnings})
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
	for _, s := range settings {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Key, showValue(s.Value), s.Source)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, warn := range l.Warnings {
		if _, err := fmt.Fprintf(w, "warning: %s\n", warn); err != nil {
			return err
		}
	}
	return nil
}

func showValue(v any) string {
	switch v := v.(type) {
	case string:
		return quoteIfNeeded(v)
	case []string:
		quoted := make([]string, len(v))
		for i, s := range v {
			quoted[i] = quoteIfNeeded(s)
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	case []Rule:
		parts := make([]string, len(v))
		for i, r := range v {
			parts[i] = r.Decision + " " + strconv.Quote(strings.Join(r.Prefix, " "))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// quoteIfNeeded keeps the table readable: plain words print bare, while
// empty strings and ones with spaces, commas or control characters are
// quoted so they cannot break the columns.
func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == ',' || r == '"'
	}) {
		return strconv.Quote(s)
	}
	return s
}
