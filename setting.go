package anode

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Setting is one typed configuration value a Module reads from the environment
// (and a debug .env file), validated when the module is installed. Build one with
// Var.
type Setting struct {
	// Name is the environment variable, e.g. "ANODE_POLLS_PAGE_SIZE".
	Name string
	// Help describes the setting for `check` and the docs.
	Help string
	// Default is the value used when the variable is unset, as text.
	Default string
	set     func(string) error
}

// SettingValue is the set of Go types Var can parse.
type SettingValue interface {
	string | bool | int | int64 | float64 | time.Duration | []string
}

// Var declares a setting stored in *dst: when the module is installed, the
// variable name is read and parsed into *dst; when unset, *dst gets def. A value
// that does not parse stops start-up with a ConfigError naming the variable.
func Var[T SettingValue](dst *T, name string, def T, help string) Setting {
	*dst = def
	return Setting{
		Name:    name,
		Help:    help,
		Default: fmt.Sprint(def),
		set: func(s string) error {
			v, err := parseSetting[T](s)
			if err != nil {
				return err
			}
			*dst = v
			return nil
		},
	}
}

func parseSetting[T SettingValue](s string) (T, error) {
	var zero T
	var v any
	var err error
	switch any(zero).(type) {
	case time.Duration:
		v, err = time.ParseDuration(s)
		if err != nil {
			return zero, fmt.Errorf(`want a Go duration such as "30s"`)
		}
	case []string:
		var list []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				list = append(list, p)
			}
		}
		v = list
	case string:
		v = s
	case bool:
		v, err = strconv.ParseBool(s)
		if err != nil {
			return zero, fmt.Errorf("want true or false")
		}
	case int:
		v, err = strconv.Atoi(s)
		if err != nil {
			return zero, fmt.Errorf("want an integer")
		}
	case int64:
		v, err = strconv.ParseInt(s, 10, 64)
		if err != nil {
			return zero, fmt.Errorf("want an integer")
		}
	case float64:
		v, err = strconv.ParseFloat(s, 64)
		if err != nil {
			return zero, fmt.Errorf("want a number")
		}
	}
	return v.(T), nil
}

// apply reads the setting from c.
func (s Setting) apply(c *Config) error {
	v, ok := c.Lookup(s.Name)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	if err := s.set(strings.TrimSpace(v)); err != nil {
		return &ConfigError{Var: s.Name, Value: v, Reason: err.Error()}
	}
	return nil
}
