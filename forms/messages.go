package forms

import (
	"fmt"
	"strings"
)

// messages holds the English text of every built-in error key; {name} is
// replaced by the error's parameter of that name. Translations key on the
// same names.
var messages = map[string]string{
	"required":         "This field is required.",
	"min_length":       "Ensure this value has at least {min} characters (it has {length}).",
	"max_length":       "Ensure this value has at most {max} characters (it has {length}).",
	"min_value":        "Ensure this value is greater than or equal to {min}.",
	"max_value":        "Ensure this value is less than or equal to {max}.",
	"min_count":        "Select at least {min} items.",
	"max_count":        "Select at most {max} items.",
	"max_places":       "Ensure that there are no more than {max} decimal places.",
	"invalid":          "Enter a valid value.",
	"invalid_text":     "Enter text without control characters and in valid UTF-8.",
	"invalid_integer":  "Enter a whole number.",
	"invalid_number":   "Enter a number.",
	"invalid_boolean":  "Enter true or false.",
	"invalid_choice":   "Select a valid choice. {value} is not one of the available choices.",
	"invalid_email":    "Enter a valid email address.",
	"invalid_url":      "Enter a valid URL.",
	"invalid_slug":     "Enter a valid slug consisting of letters, numbers, underscores or hyphens.",
	"invalid_date":     "Enter a valid date (YYYY-MM-DD).",
	"invalid_time":     "Enter a valid time (HH:MM).",
	"invalid_datetime": "Enter a valid date and time.",
	"invalid_pattern":  "Enter a value in the expected format.",
	"invalid_uuid":     "Enter a valid UUID.",
	"invalid_duration": "Enter a valid duration (HH:MM:SS, optionally with days first, or 1h30m).",
	"invalid_json":     "Enter valid JSON of the expected shape.",
	"invalid_file":     "No file was submitted. Check the encoding type on the form.",
	"invalid_type":     "This value has the wrong type.",
	"multiple_values":  "Enter one value, not a list.",
	"file_too_large":   "Ensure this file is at most {max} bytes (it is larger).",
	"file_type":        "Files of type {type} are not allowed (allowed: {allowed}).",
	"max_files":        "Upload at most {max} files.",
	"malformed":        "The submitted data could not be read.",
	"unique":           "{model} with this {field} already exists.",
	"unique_together":  "{model} with this {fields} already exists.",
	"management_form":  "The form's management data is missing or has been tampered with.",
	"too_many_forms":   "Submit at most {max} forms.",
	"too_few_forms":    "Submit at least {min} forms.",
	"stale_rows":       "The rows changed since this page was loaded. Reload it and try again.",
	"constraint":       "The data breaks the rule {constraint}.",
}

// newError builds an *Error for a built-in key, formatting its message.
func newError(field, key string, params map[string]any) *Error {
	return &Error{Field: field, Key: key, Params: params, Message: format(messages[key], params)}
}

// format replaces {name} in text by params[name].
func format(text string, params map[string]any) string {
	if len(params) == 0 || !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(text[:i])
		name := text[i+1 : i+j]
		if v, ok := params[name]; ok {
			fmt.Fprint(&b, v)
		} else {
			b.WriteString(text[i : i+j+1])
		}
		text = text[i+j+1:]
	}
	b.WriteString(text)
	return b.String()
}
