/**
 * Shell completion for kubectl-kguardian. The shell scripts ask the plugin itself for
 * candidates (yargs's --get-yargs-completions, which knows every command and flag), so they
 * never go stale. kubectl 1.26+ completes `kubectl kguardian ...` by running an executable
 * named kubectl_complete-kguardian (see plugin/completion/kubectl_complete-kguardian), which
 * calls `kubectl-kguardian __complete ARGS...`: candidates one a line, then cobra's directive
 * line ":4" (no file completion).
 */
export type Shell = 'bash' | 'zsh';
export const SHELLS: readonly Shell[] = ['bash', 'zsh'];

// SHELL is set for the call because yargs answers by it: under zsh "name:description" lines and
// no prefix filtering, otherwise bare names already filtered. A bash user whose login shell is zsh
// must still get bare names, and zsh always gets descriptions for _describe.
const BASH = `# kubectl-kguardian completion for bash. Load it with:
#   source <(kubectl kguardian completion bash)
_kubectl_kguardian_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local IFS=$'\\n'
  local candidates
  candidates=$(SHELL=bash kubectl-kguardian --get-yargs-completions kubectl-kguardian "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=( $(compgen -W "$candidates" -- "$cur") )
}
complete -o default -F _kubectl_kguardian_complete kubectl-kguardian
`;

// _describe takes the "name:description" lines, filters by what is typed and shows the
// descriptions. Sourced, the script registers its function with compdef. Installed in $fpath as
// _kubectl-kguardian, zsh runs the whole file on the first Tab as the body of an autoloaded
// function of that name: the file then defines the real _kubectl-kguardian (replacing the stub,
// so later Tabs call it directly) and must also complete this first time (cobra's scripts do the
// same).
const ZSH = `#compdef kubectl-kguardian
# kubectl-kguardian completion for zsh. Load it with:
#   source <(kubectl kguardian completion zsh)
# or install it: kubectl kguardian completion zsh > "\${fpath[1]}/_kubectl-kguardian"
_kubectl-kguardian() {
  local -a candidates
  candidates=(\${(f)"$(SHELL=zsh kubectl-kguardian --get-yargs-completions kubectl-kguardian "\${(@)words[2,CURRENT]}" 2>/dev/null)"})
  _describe -t kguardian 'kubectl-kguardian' candidates
}
if [[ "\${funcstack[1]}" == _kubectl-kguardian ]]; then
  _kubectl-kguardian "$@"
else
  compdef _kubectl-kguardian kubectl-kguardian
fi
`;

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? BASH : ZSH;
}

/**
 * kubectl's plugin-completion protocol: candidates starting with the word being typed, then the
 * directive (":4", no file names; ":0" where a file name fits).
 */
export function cobraCompletions(yargsOutput: string, current: string, directive = 4): string {
  const lines = yargsOutput
    .split('\n')
    .map((l) => l.split(':')[0] ?? '') // zsh-style "name:description" entries keep only the name
    // Flags only once a "-" is typed, as kubectl does; otherwise commands and names.
    .filter((l) => l !== '' && l.startsWith(current) && (current.startsWith('-') || !l.startsWith('-')));
  return [...new Set(lines), `:${directive}`].join('\n') + '\n';
}
