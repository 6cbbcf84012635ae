package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/cewiz/cewiz/flow"
)

const completionSynopsis = `Print a shell completion script for bash, zsh or fish on stdout. Load it with:
  bash:  source <(cewiz completion bash)      (or save it in ~/.local/share/bash-completion/completions/cewiz)
  zsh:   source <(cewiz completion zsh)       (compinit must be loaded; or save it as _cewiz in your $fpath)
  fish:  cewiz completion fish | source       (or save it in ~/.config/fish/completions/cewiz.fish)`

// completionShells are the shells completionCmd writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

// completionCmd is `cewiz completion bash|zsh|fish`.
func completionCmd(f *factory, args []string) error {
	fs := f.newFlagSet("completion", completionSynopsis)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprintf(f.io.Out, "Usage: cewiz completion bash|zsh|fish\n\n%s\n", completionSynopsis)
			return err
		}
		return flagProblem(fs, err)
	}
	if fs.NArg() != 1 {
		return &flow.UsageError{Err: fmt.Errorf("name the shell: cewiz completion %s", strings.Join(completionShells, "|"))}
	}
	cmds := completionCommands()
	switch fs.Arg(0) {
	case "bash":
		writeBashCompletion(f.io.Out, cmds)
	case "zsh":
		writeZshCompletion(f.io.Out, cmds)
	case "fish":
		writeFishCompletion(f.io.Out, cmds)
	default:
		return &flow.UsageError{Err: fmt.Errorf("no completion for %q; the shells are %s", fs.Arg(0), strings.Join(completionShells, ", "))}
	}
	return nil
}

// complFlag is one flag as a completion script offers it.
type complFlag struct {
	name, desc string
	// value: the flag takes a value (--name VALUE); files: the value is a
	// file name; values: the value is one of these words.
	value  bool
	files  bool
	values []string
}

// complCommand is one command (name "" is the wizard) and its flags.
type complCommand struct {
	name, desc string
	args       []string // the words it takes as arguments
	flags      []complFlag
}

// completionCommands reads the command table: each command's flag set is
// the one it makes when asked for --help, so the scripts list exactly the
// flags each command parses.
func completionCommands() []complCommand {
	descs := commandDescriptions()
	var out []complCommand
	for _, c := range commands {
		cc := complCommand{name: c.name, desc: descs[c.name]}
		switch c.name {
		case "completion":
			cc.args = completionShells
		case "help":
			cc.args = commandNames()
		case "events":
			cc.args = []string{"receive", "watch"} // subcommands: their flags are not completed
		}
		if cc.args == nil {
			sub := &factory{io: &streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, lookup: func(string) (string, bool) { return "", false }}
			_ = c.run(sub, []string{"--help"})
			for _, fl := range sub.flagSets {
				fl.fs.VisitAll(func(x *flag.Flag) { cc.flags = append(cc.flags, complFlagOf(x)) })
			}
		}
		out = append(out, cc)
	}
	return out
}

func complFlagOf(x *flag.Flag) complFlag {
	name, usage := flag.UnquoteUsage(x)
	b, isBool := x.Value.(interface{ IsBoolFlag() bool })
	cf := complFlag{name: x.Name, desc: shortDesc(usage), value: !(isBool && b.IsBoolFlag())}
	switch {
	case x.Name == "region":
		cf.values = flow.RegionNames
	case x.Name == "format":
		cf.values = []string{"json", "curl"}
	case name == "file":
		cf.files = true
	}
	return cf
}

// shortDesc is a flag's usage up to its first parenthesis or semicolon.
func shortDesc(s string) string {
	if i := strings.IndexAny(s, "(;"); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// commandDescriptions reads the one-line description of each command from
// the usage text ("  cewiz export [flags]     print …").
func commandDescriptions() map[string]string {
	d := map[string]string{}
	for _, l := range strings.Split(usage, "\n") {
		if !strings.HasPrefix(l, "  cewiz ") {
			continue
		}
		fields := strings.Fields(l)
		name := fields[1]
		if strings.HasPrefix(name, "[") {
			name = ""
		}
		if i := strings.Index(l, "   "); i > 0 {
			d[name] = strings.TrimSpace(l[i:])
		}
	}
	d["help"] = "show the usage, or a command's flags"
	return d
}

func flagNames(c complCommand) string {
	names := []string{"--help"}
	for _, f := range c.flags {
		names = append(names, "--"+f.name)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

func writeBashCompletion(w io.Writer, cmds []complCommand) {
	var b strings.Builder
	b.WriteString("# bash completion for cewiz: source <(cewiz completion bash)\n")
	b.WriteString("_cewiz() {\n")
	b.WriteString("    local cur prev cmd=\"\"\n")
	b.WriteString("    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n")
	b.WriteString("    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n")
	b.WriteString("    if [[ $COMP_CWORD -gt 1 && \"${COMP_WORDS[1]}\" != -* ]]; then cmd=\"${COMP_WORDS[1]}\"; fi\n")
	// Values of the flags that take a word from a list or a file name.
	b.WriteString("    case \"$prev\" in\n")
	files, lists := map[string]bool{}, map[string][]string{}
	for _, c := range cmds {
		for _, f := range c.flags {
			if f.files {
				files["--"+f.name] = true
			}
			if len(f.values) > 0 {
				lists["--"+f.name] = f.values
			}
		}
	}
	if len(files) > 0 {
		fmt.Fprintf(&b, "        %s) compopt -o filenames; COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", strings.Join(slices.Sorted(maps.Keys(files)), "|"))
	}
	for _, k := range slices.Sorted(maps.Keys(lists)) {
		fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -W %s -- \"$cur\")); return ;;\n", k, shellWords(lists[k]))
	}
	b.WriteString("    esac\n")
	b.WriteString("    if [[ $COMP_CWORD -eq 1 && \"$cur\" != -* ]]; then\n")
	fmt.Fprintf(&b, "        COMPREPLY=($(compgen -W %s -- \"$cur\")); return\n", shellWords(commandNames()))
	b.WriteString("    fi\n")
	b.WriteString("    local words=\"\"\n")
	b.WriteString("    case \"$cmd\" in\n")
	for _, c := range cmds {
		// Quoted, the wizard's empty name is the pattern '' (an empty $cmd).
		label := flow.ShellQuote(c.name)
		words := flagNames(c)
		if len(c.args) > 0 {
			words = strings.TrimSpace(strings.Join(c.args, " ") + " " + words)
		}
		fmt.Fprintf(&b, "        %s) words=%s ;;\n", label, shellWords(strings.Fields(words)))
	}
	b.WriteString("    esac\n")
	b.WriteString("    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n")
	b.WriteString("}\n")
	b.WriteString("complete -o default -F _cewiz cewiz\n")
	fmt.Fprint(w, b.String())
}

func writeZshCompletion(w io.Writer, cmds []complCommand) {
	var b strings.Builder
	b.WriteString("#compdef cewiz\n")
	b.WriteString("# zsh completion for cewiz: source <(cewiz completion zsh), or save as _cewiz in $fpath\n")
	b.WriteString("_cewiz() {\n")
	b.WriteString("  local -a commands\n")
	b.WriteString("  commands=(\n")
	for _, c := range cmds {
		if c.name != "" {
			fmt.Fprintf(&b, "    %s\n", flow.ShellQuote(c.name+":"+c.desc))
		}
	}
	b.WriteString("  )\n")
	b.WriteString("  local cmd=\"\"\n")
	b.WriteString("  if (( CURRENT > 2 )) && [[ $words[2] != -* ]]; then cmd=$words[2]; fi\n")
	b.WriteString("  if (( CURRENT == 2 )) && [[ $words[CURRENT] != -* ]]; then\n")
	b.WriteString("    _describe -t commands 'cewiz command' commands\n")
	b.WriteString("    return\n")
	b.WriteString("  fi\n")
	b.WriteString("  if [[ -n $cmd ]]; then shift words; (( CURRENT-- )); fi\n")
	b.WriteString("  case $cmd in\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "    %s)\n", flow.ShellQuote(c.name))
		if len(c.args) > 0 {
			var quoted []string
			for _, a := range c.args {
				quoted = append(quoted, flow.ShellQuote(a))
			}
			fmt.Fprintf(&b, "      _values %s %s\n", flow.ShellQuote(c.name), strings.Join(quoted, " "))
			b.WriteString("      ;;\n")
			continue
		}
		b.WriteString("      _arguments -s")
		for _, f := range c.flags {
			spec := "--" + f.name + "[" + zshEscape(f.desc) + "]"
			switch {
			case f.files:
				spec += ":file:_files"
			case len(f.values) > 0:
				spec += ":" + f.name + ":(" + strings.Join(f.values, " ") + ")"
			case f.value:
				spec += ":" + f.name + ": "
			}
			b.WriteString(" \\\n        " + flow.ShellQuote(spec))
		}
		b.WriteString("\n      ;;\n")
	}
	b.WriteString("  esac\n")
	b.WriteString("}\n")
	b.WriteString("if [[ $funcstack[1] == _cewiz ]]; then _cewiz \"$@\"; else compdef _cewiz cewiz; fi\n")
	fmt.Fprint(w, b.String())
}

// zshEscape escapes what _arguments reads specially inside [description].
func zshEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
}

func writeFishCompletion(w io.Writer, cmds []complCommand) {
	var b strings.Builder
	b.WriteString("# fish completion for cewiz: cewiz completion fish | source\n")
	b.WriteString("function __cewiz_command\n")
	b.WriteString("    set -l words (commandline -opc)\n")
	b.WriteString("    if test (count $words) -ge 2; and not string match -q -- '-*' $words[2]\n")
	b.WriteString("        echo $words[2]\n")
	b.WriteString("    end\n")
	b.WriteString("end\n")
	b.WriteString("function __cewiz_is\n")
	b.WriteString("    set -l c (__cewiz_command)\n")
	b.WriteString("    test \"$c\" = \"$argv[1]\"\n")
	b.WriteString("end\n")
	b.WriteString("function __cewiz_first\n")
	b.WriteString("    test (count (commandline -opc)) -eq 1\n")
	b.WriteString("end\n")
	b.WriteString("complete -c cewiz -f\n")
	for _, c := range cmds {
		if c.name != "" {
			fmt.Fprintf(&b, "complete -c cewiz -n __cewiz_first -a %s -d %s\n", c.name, flow.ShellQuote(c.desc))
		}
	}
	for _, c := range cmds {
		cond := flow.ShellQuote("__cewiz_is " + c.name)
		if c.name == "" {
			cond = flow.ShellQuote("__cewiz_is ''")
		}
		if len(c.args) > 0 {
			fmt.Fprintf(&b, "complete -c cewiz -n %s -a %s\n", cond, flow.ShellQuote(strings.Join(c.args, " ")))
		}
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c cewiz -n %s -l %s", cond, f.name)
			switch {
			case f.files:
				line += " -r -F"
			case len(f.values) > 0:
				line += " -x -a " + flow.ShellQuote(strings.Join(f.values, " "))
			case f.value:
				line += " -x"
			}
			fmt.Fprintf(&b, "%s -d %s\n", line, flow.ShellQuote(f.desc))
		}
	}
	fmt.Fprint(w, b.String())
}

// shellWords quotes a word list for compgen -W: one shell word.
func shellWords(words []string) string { return flow.ShellQuote(strings.Join(words, " ")) }
