package cli

import (
	"fmt"
	"github.com/git-agent/git-agent/internal/config"
	"net/http"
	"net/url"
	"strings"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/anthropic"
	"github.com/git-agent/git-agent/internal/model/openai"
	"github.com/git-agent/git-agent/internal/model/replay"
)

// Default models per provider, used when neither config nor flags name one.
var defaultModels = map[string]string{
	"openai":      "gpt-5",
	"openai-chat": "gpt-5",
	"anthropic":   "claude-sonnet-4-5",
	"ollama":      "qwen2.5-coder",
	"replay":      "cassette",
}

// Default base URLs per provider.
var defaultBaseURLs = map[string]string{
	"openai":      "https://api.openai.com/v1",
	"openai-chat": "https://api.openai.com/v1",
	"anthropic":   "https://api.anthropic.com",
	"ollama":      "http://localhost:11434/v1",
}

// providerSpec is what is needed to build a provider.
type providerSpec struct {
	Name     string
	Model    string
	BaseURL  string
	Cassette string
	Getenv   func(string) string
	Client   *http.Client
}

// newProvider builds the wire client for spec, or explains what is missing.
func newProvider(s providerSpec) (model.Provider, providerSpec, error) {
	if s.Model == "" {
		s.Model = defaultModels[s.Name]
	}
	if s.BaseURL == "" {
		s.BaseURL = defaultBaseURLs[s.Name]
	}
	if s.Name != "replay" && s.BaseURL != "" {
		u, err := url.Parse(s.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, s, &model.Error{Kind: model.ErrConfig, Provider: s.Name,
				Message: fmt.Sprintf("base URL %q is not an http(s) URL", s.BaseURL),
				Hint:    "pass --base-url like http://localhost:11434/v1"}
		}
	}
	custom := s.BaseURL != defaultBaseURLs[s.Name]
	switch s.Name {
	case "openai", "openai-chat":
		key := s.Getenv("OPENAI_API_KEY")
		if key == "" && !custom {
			return nil, s, missingKey(s.Name, "OPENAI_API_KEY")
		}
		o := openai.Options{BaseURL: s.BaseURL, APIKey: key, Name: s.Name, HTTPClient: s.Client, UserAgent: "git-agent/" + version}
		if s.Name == "openai" {
			if reasoningModel(s.Model) {
				o.ReasoningSummary = "auto"
			}
			return openai.NewResponses(o), s, nil
		}
		return openai.NewChat(o), s, nil
	case "ollama":
		return openai.NewChat(openai.Options{BaseURL: s.BaseURL, Name: "ollama", HTTPClient: s.Client, UserAgent: "git-agent/" + version}), s, nil
	case "anthropic":
		key := s.Getenv("ANTHROPIC_API_KEY")
		if key == "" && !custom {
			return nil, s, missingKey(s.Name, "ANTHROPIC_API_KEY")
		}
		return anthropic.New(anthropic.Options{BaseURL: s.BaseURL, APIKey: key, HTTPClient: s.Client, UserAgent: "git-agent/" + version}), s, nil
	case "replay":
		if s.Cassette == "" {
			return nil, s, &model.Error{Kind: model.ErrConfig, Provider: "replay",
				Message: "no cassette given", Hint: "pass --cassette FILE (recorded with --record FILE)"}
		}
		c, err := replay.Load(s.Cassette)
		if err != nil {
			return nil, s, &model.Error{Kind: model.ErrConfig, Provider: "replay", Err: err}
		}
		s.BaseURL = ""
		if s.Model == defaultModels["replay"] && c.Model != "" {
			s.Model = c.Model // name the model that was recorded
		}
		return replay.NewPlayer(c), s, nil
	}
	return nil, s, usageErrorf("unknown provider %q: use one of %s", s.Name, strings.Join(config.Providers, ", "))
}

// reasoningModel reports whether an OpenAI model reasons and so accepts a
// request for reasoning summaries (other models reject the parameter).
func reasoningModel(name string) bool {
	for _, p := range []string{"gpt-5", "o1", "o3", "o4", "codex"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func missingKey(provider, variable string) error {
	return &model.Error{Kind: model.ErrConfig, Provider: provider,
		Message: "no API key: set " + variable,
		Hint:    "or use --provider ollama for a local model, or run `git agent demo` to try git-agent without a key"}
}
