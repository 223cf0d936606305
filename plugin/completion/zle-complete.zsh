# Drives real zsh completion, as a user's Tab does, for the completion tests:
#   zsh -f zle-complete.zsh OUT SETUP LINE...
# starts an interactive zsh on a pseudo-terminal (zsh/zpty), runs SETUP there (loading compinit
# and the script under test, in the order the way of installing it needs), then for each LINE types it, presses Tab, and appends the
# command line as completion left it to OUT, one line each. Exit 1 if a line does not come back
# within 60 s (what the terminal showed goes to stderr).
zmodload zsh/zpty || exit 1
out=$1 setup=$2
shift 2
zpty kg zsh -f -i
# LISTMAX: never stop at "do you wish to see all N possibilities?"; ^X writes the line to OUT.
zpty -w kg "PS1='' RPS1='' LISTMAX=100000; $setup"
zpty -w kg "kg-dump() { print -r -- \"\$BUFFER\" >> ${(q)out}; BUFFER=''; }; zle -N kg-dump; bindkey '^X' kg-dump"
n=0
for line in "$@"; do
  (( n++ ))
  zpty -w -n kg "$line"$'\t\x18'
  for i in {1..600}; do
    [[ -f $out ]] && (( $(wc -l < $out) >= n )) && break
    sleep 0.1
  done
  if ! [[ -f $out ]] || (( $(wc -l < $out) < n )); then
    zpty -r -t kg screen && print -r -- "$screen" >&2
    zpty -d kg
    exit 1
  fi
done
zpty -d kg
