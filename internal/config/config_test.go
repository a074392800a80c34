package config

import (
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestDurationTOML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr bool
	}{
		{name: "string", in: `d = "10s"`, want: 10 * time.Second},
		{name: "minutes", in: `d = "2m"`, want: 2 * time.Minute},
		{name: "integer seconds", in: `d = 90`, want: 90 * time.Second},
		{name: "digits in a string", in: `d = "45"`, want: 45 * time.Second},
		{name: "negative seconds", in: `d = -1`, wantErr: true},
		{name: "overflow", in: `d = 9223372036854775807`, wantErr: true},
		{name: "garbage", in: `d = "soon"`, wantErr: true},
		{name: "float", in: `d = 1.5`, wantErr: true},
		{name: "array", in: `d = [1]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v struct{ D Duration }
			_, err := toml.Decode(tt.in, &v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && time.Duration(v.D) != tt.want {
				t.Errorf("got %v, want %v", time.Duration(v.D), tt.want)
			}
		})
	}
}

func TestUserDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"xdg", map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/git-agent"},
		{"relative xdg ignored", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/h"}, "/h/.config/git-agent"},
		{"home", map[string]string{"HOME": "/h"}, "/h/.config/git-agent"},
		{"windows profile", map[string]string{"USERPROFILE": "/w"}, "/w/.config/git-agent"},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := UserDir(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("UserDir = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUserFile(t *testing.T) {
	t.Parallel()
	if got := UserFile(func(string) string { return "" }, "config.toml"); got != "" {
		t.Errorf("without a home directory: %q, want \"\" (never a relative path)", got)
	}
	home := func(k string) string { return map[string]string{"HOME": "/h"}[k] }
	if got, want := UserFile(home, "AGENTS.md"), "/h/.config/git-agent/AGENTS.md"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
