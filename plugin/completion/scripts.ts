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

const BASH = `# kubectl-kguardian completion for bash. Load it with:
#   source <(kubectl kguardian completion bash)
_kubectl_kguardian_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local IFS=$'\\n'
  local candidates
  candidates=$(kubectl-kguardian --get-yargs-completions kubectl-kguardian "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=( $(compgen -W "$candidates" -- "$cur") )
}
complete -o default -F _kubectl_kguardian_complete kubectl-kguardian
`;

const ZSH = `#compdef kubectl-kguardian
# kubectl-kguardian completion for zsh. Load it with:
#   source <(kubectl kguardian completion zsh)
_kubectl_kguardian_complete() {
  local -a candidates
  candidates=(\${(f)"$(kubectl-kguardian --get-yargs-completions kubectl-kguardian "\${(@)words[2,CURRENT]}" 2>/dev/null)"})
  compadd -- $candidates
}
compdef _kubectl_kguardian_complete kubectl-kguardian
`;

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? BASH : ZSH;
}

/** kubectl's plugin-completion protocol: candidates starting with the word being typed, then ":4". */
export function cobraCompletions(yargsOutput: string, current: string): string {
  const lines = yargsOutput
    .split('\n')
    .map((l) => l.split(':')[0] ?? '') // zsh-style "name:description" entries keep only the name
    // Flags only once a "-" is typed, as kubectl does; otherwise commands and names.
    .filter((l) => l !== '' && l.startsWith(current) && (current.startsWith('-') || !l.startsWith('-')));
  return [...new Set(lines), ':4'].join('\n') + '\n';
}
