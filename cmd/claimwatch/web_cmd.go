package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/web"
)

func init() { register(webCommand) }

func webCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "web",
		Short: "Dashboard helpers (hash-password)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "hash-password",
		Short: "Read a password on stdin and print its bcrypt hash for web.users",
		Long: `Read a password from the first line of standard input and print its bcrypt
hash, to put under web.users in the config:

  web:
    users:
      alice: "$2a$10$..."

  $ printf '%s\n' 'correct horse battery' | claimwatch web hash-password`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			line, err := bufio.NewReader(a.stdin).ReadString('\n')
			if err != nil && line == "" {
				return usagef("hash-password: no password on standard input")
			}
			hash, err := web.HashPassword(strings.TrimRight(line, "\r\n"))
			if err != nil {
				return usagef("hash-password: %w", err)
			}
			_, err = fmt.Fprintln(a.stdout, hash)
			return err
		},
	})
	return cmd
}
