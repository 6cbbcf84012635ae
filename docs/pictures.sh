#!/bin/sh
# Renders the README's pictures from the golden screens (tui/testdata) with
# Charm's freeze: docs/pictures/<name>.svg for each line of
# docs/pictures/pictures.txt. Run it after `go test ./tui -update` changed a
# golden; TestPicturesShowTheGoldens fails until it is run. Re-runnable: it
# rewrites every picture from the current goldens.
set -eu
cd "$(dirname "$0")/.."

# freeze, pinned, from the Go module proxy (FREEZE names another binary).
version=v0.2.2
freeze=${FREEZE:-}
if [ -z "$freeze" ]; then
	bin=$(go env GOPATH)/bin
	freeze=$bin/freeze
	if ! "$freeze" --version 2>/dev/null | grep -q "${version#v}"; then
		echo "installing freeze $version" >&2
		go install "github.com/charmbracelet/freeze@$version"
	fi
fi

grep -v '^#' docs/pictures/pictures.txt | while read -r name golden; do
	[ -n "$name" ] || continue
	# --language ansi: terminal output, not code to highlight; a generic
	# monospace font keeps each picture a few kilobytes (no embedded font).
	"$freeze" "tui/testdata/$golden" --language ansi --window \
		--font.family monospace --output "docs/pictures/$name.svg" </dev/null >/dev/null
	echo "docs/pictures/$name.svg  <-  tui/testdata/$golden"
done
