package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"os/user"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth/password"
	"github.com/anode-go/anode/orm"
)

// superuserPasswordEnv names the variable createsuperuser --noinput takes
// the password from: a flag would show it in the process list and the
// shell's history.
const superuserPasswordEnv = "ANODE_SUPERUSER_PASSWORD"

// maxPasswordTries bounds changepassword's prompts, as Django's.
const maxPasswordTries = 3

// commands returns the module's commands: createsuperuser and
// changepassword.
func commands(app *anode.App) []*cobra.Command {
	return []*cobra.Command{createsuperuserCommand(app), changepasswordCommand(app)}
}

func createsuperuserCommand(app *anode.App) *cobra.Command {
	var username, email string
	var noInput bool
	cmd := &cobra.Command{
		Use:   "createsuperuser [--noinput --username U [--email E]]",
		Short: "Create a superuser (staff, with every permission)",
		Long: "Create a superuser, asking for the username, email address and password (twice, not echoed on a terminal).\n" +
			"The password validators run; a password they reject is used only when you confirm it.\n" +
			"With --noinput nothing is asked: --username is required (or ANODE_SUPERUSER_USERNAME), --email optional\n" +
			"(or ANODE_SUPERUSER_EMAIL) and the password comes from ANODE_SUPERUSER_PASSWORD; it must pass the validators.\n" +
			"Without ANODE_SUPERUSER_PASSWORD the superuser gets an unusable password, as in Django.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db := app.DB()
			if db == nil {
				return errors.New("auth: createsuperuser: no database")
			}
			cfg := app.Config()
			if username == "" {
				username, _ = cfg.Lookup("ANODE_SUPERUSER_USERNAME")
			}
			if email == "" {
				email, _ = cfg.Lookup("ANODE_SUPERUSER_EMAIL")
			}
			out := cmd.OutOrStdout()
			if noInput {
				pw, _ := cfg.Lookup(superuserPasswordEnv)
				if err := checkNewUser(ctx, db, username, email); err != nil {
					return fmt.Errorf("auth: createsuperuser: %w", err)
				}
				if pw != "" {
					if err := validatePassword(ctx, pw, username, email); err != nil {
						return fmt.Errorf("auth: createsuperuser: %s: %w", superuserPasswordEnv, err)
					}
				}
				if _, err := CreateSuperuser(ctx, db, username, email, pw); err != nil {
					return err
				}
				if pw == "" {
					fmt.Fprintf(out, "Superuser %q created with an unusable password (%s is not set).\n", username, superuserPasswordEnv)
				} else {
					fmt.Fprintf(out, "Superuser %q created.\n", username)
				}
				return nil
			}

			p := newPrompter(cmd)
			for {
				if username == "" {
					s, err := p.line(ctx, "Username: ")
					if err != nil {
						return err
					}
					username = strings.TrimSpace(s)
				}
				err := checkNewUser(ctx, db, username, "")
				if err == nil {
					break
				}
				var ie inputError
				if !errors.As(err, &ie) {
					return err
				}
				fmt.Fprintf(out, "Error: %v\n", err)
				username = ""
			}
			for email == "" {
				s, err := p.line(ctx, "Email address: ")
				if err != nil {
					return err
				}
				if s = strings.TrimSpace(s); s == "" {
					break
				}
				if err := checkEmail(s); err != nil {
					fmt.Fprintf(out, "Error: %v\n", err)
					continue
				}
				email = s
			}
			if err := checkEmail(email); err != nil {
				return fmt.Errorf("auth: createsuperuser: %w", err)
			}
			var pw string
			for {
				var err error
				pw, err = p.newPassword(ctx)
				if errors.Is(err, errRetry) {
					continue
				}
				if err != nil {
					return err
				}
				verr := validatePassword(ctx, pw, username, email)
				var ve *password.ValidationError
				if !errors.As(verr, &ve) {
					if verr != nil {
						return verr
					}
					break
				}
				for _, v := range ve.Violations {
					fmt.Fprintln(out, v.Message)
				}
				ok, err := p.confirm(ctx, "Bypass password validation and create user anyway? [y/N]: ")
				if err != nil {
					return err
				}
				if ok {
					break
				}
			}
			if _, err := CreateSuperuser(ctx, db, username, email, pw); err != nil {
				return err
			}
			fmt.Fprintln(out, "Superuser created successfully.")
			return nil
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "the superuser's username (default ANODE_SUPERUSER_USERNAME)")
	cmd.Flags().StringVar(&email, "email", "", "the superuser's email address (default ANODE_SUPERUSER_EMAIL)")
	cmd.Flags().BoolVar(&noInput, "noinput", false, "ask nothing; the password comes from ANODE_SUPERUSER_PASSWORD")
	cmd.Flags().BoolVar(&noInput, "no-input", false, "same as --noinput")
	return cmd
}

func changepasswordCommand(app *anode.App) *cobra.Command {
	return &cobra.Command{
		Use:   "changepassword [username]",
		Short: "Change a user's password and end their sessions",
		Long: "Change the password of username (default: the name of the operating-system user running the command),\n" +
			"asked twice (not echoed on a terminal) and checked by the password validators; three tries.\n" +
			"The user's sessions end, as after auth.ChangePassword.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db := app.DB()
			if db == nil {
				return errors.New("auth: changepassword: no database")
			}
			var username string
			if len(args) == 1 {
				username = args[0]
			} else if cu, err := user.Current(); err == nil {
				username = cu.Username
			}
			u, _, err := storeFor(db).get(ctx, db, "username", username)
			if errors.Is(err, orm.ErrNotFound) {
				return fmt.Errorf("auth: changepassword: user %q does not exist", username)
			}
			if err != nil {
				return fmt.Errorf("auth: changepassword: %w", err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Changing password for user %q\n", u.Username)
			p := newPrompter(cmd)
			for try := 1; ; try++ {
				if try > maxPasswordTries {
					return fmt.Errorf("auth: changepassword: aborting after %d attempts; the password of %q is unchanged", maxPasswordTries, u.Username)
				}
				pw, err := p.newPassword(ctx)
				if errors.Is(err, errRetry) {
					continue
				}
				if err != nil {
					return err
				}
				verr := validatePassword(ctx, pw, u.Username, u.Email, "first_name", u.FirstName, "last_name", u.LastName)
				var ve *password.ValidationError
				if errors.As(verr, &ve) {
					for _, v := range ve.Violations {
						fmt.Fprintln(out, v.Message)
					}
					continue
				}
				if verr != nil {
					return verr
				}
				if err := savePassword(ctx, app, u, pw, ""); err != nil {
					return err
				}
				fmt.Fprintf(out, "Password changed successfully for user %q.\n", u.Username)
				return nil
			}
		},
	}
}

// inputError is a problem with what the operator typed, which an
// interactive command reports and asks again about.
type inputError string

func (e inputError) Error() string { return string(e) }

// checkNewUser reports whether a user named username with that email may
// be created: an inputError if not, another error if the database fails.
func checkNewUser(ctx context.Context, db *orm.DB, username, email string) error {
	if err := checkUsername(username); err != nil {
		return err
	}
	if err := checkEmail(email); err != nil {
		return err
	}
	taken, err := storeFor(db).exists(ctx, db, username)
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	if taken {
		return inputError("that username is already taken")
	}
	return nil
}

// checkUsername applies Django's username rule: 1 to 150 letters, digits
// and @ . + - _ characters.
func checkUsername(s string) error {
	if s == "" {
		return inputError("the username cannot be blank")
	}
	if utf8.RuneCountInString(s) > 150 {
		return inputError("the username has more than 150 characters")
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("@.+-_", r) {
			return inputError("enter a valid username: letters, digits and @ . + - _ only")
		}
	}
	return nil
}

// checkEmail accepts "" or a bare address.
func checkEmail(s string) error {
	if s == "" {
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return inputError("enter a valid email address")
	}
	return nil
}

// validatePassword runs the password validators against the user's
// attributes; extra holds further attribute name, value pairs.
func validatePassword(ctx context.Context, pw, username, email string, extra ...string) error {
	attrs := password.Attributes{"username": username, "email": email}
	for i := 0; i+1 < len(extra); i += 2 {
		attrs[extra[i]] = extra[i+1]
	}
	return password.Validate(ctx, pw, attrs)
}
