# bash completion for tamtrace(8)                          -*- shell-script -*-
#
# Subcommands, options, their arguments' kinds and the attach modes all
# come from the binary's own --help (one option table in src/core/cli.c,
# the mode table in src/core/modes.c), so they cannot drift from it.
# Works with or without the bash-completion package.

# The tamtrace being completed: as typed, from PATH, or in an sbin that a
# user's PATH lacks (sudo tamtrace ...).
_tamtrace_bin()
{
	local b=$1 d
	if [[ $b == */* ]]; then
		b=${b/#\~/$HOME}
		[[ -x $b ]] && printf '%s' "$b"
		return
	fi
	type -P "$b" && return
	for d in /usr/local/sbin /usr/sbin /sbin; do
		[[ -x $d/$b ]] && printf '%s' "$d/$b" && return
	done
}

# --help of SUBCOMMAND (empty: the stream), cached per binary.
declare -gA _tamtrace_help_cache
_tamtrace_help()
{
	local key="$1|$2"
	if [[ -z ${_tamtrace_help_cache[$key]+set} ]]; then
		_tamtrace_help_cache[$key]=$("$1" ${2:+"$2"} --help 2>/dev/null)
	fi
	printf '%s\n' "${_tamtrace_help_cache[$key]}"
}

# "OPTION ARGNAME" per option of the help text on stdin ("-" if none).
_tamtrace_opts()
{
	local line opt arg re='^ +(-[A-Za-z0-9], )?(--[a-z-]+)( ([^ ]+))? '
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		arg=${BASH_REMATCH[4]:--}
		# the help's text, not an argument: arguments are upper case
		[[ $arg == [A-Z]* ]] || arg=-
		opt=${BASH_REMATCH[1]%, }
		[[ -n $opt ]] && printf '%s %s\n' "$opt" "$arg"
		printf '%s %s\n' "${BASH_REMATCH[2]}" "$arg"
	done
}

# Process (or, with task, thread) ids, each prefixed by PREFIX.
_tamtrace_ids()
{
	local prefix=$1 cur=$2 p
	local -a ids
	if [[ $3 == task ]]; then
		ids=(/proc/[0-9]*/task/[0-9]*)
	else
		ids=(/proc/[0-9]*)
	fi
	ids=("${ids[@]##*/}")
	for p in $(compgen -W "${ids[*]}" -- "$cur"); do
		COMPREPLY+=("$prefix$p")
	done
}

# Complete the argument ARGNAME of an option, from the help's names.
_tamtrace_arg()
{
	local bin=$1 help=$2 arg=$3 cur=$4 w
	case $arg in
	PID*)	# comma lists: complete after the last comma
		if [[ $cur == *,* ]]; then
			_tamtrace_ids "${cur%,*}," "${cur##*,}"
		else
			_tamtrace_ids "" "$cur"
		fi ;;
	TID)	_tamtrace_ids "" "$cur" task ;;
	MODE)	# "force one of: patched, fentry, exceptions (default: ..."
		w=$(sed -n 's/.*force one of: \([^(]*\) (.*/\1/p' <<<"$help")
		COMPREPLY=($(compgen -W "${w//,/}" -- "$cur")) ;;
	KEY)	# "with --all: rss (default), reserved or oom"
		w=$(sed -n 's/.*--sort KEY *[^:]*: //p' <<<"$help")
		w=${w//(default)/}
		w=${w//,/}
		COMPREPLY=($(compgen -W "${w// or / }" -- "$cur")) ;;
	FILE)	compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	DIR)	# cgroup v2 directories, absolute or under its mount
		compopt -o filenames 2>/dev/null
		if [[ $cur == /* ]]; then
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		else
			w=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
			mapfile -t COMPREPLY < <(cd "${w:-/sys/fs/cgroup}" \
				2>/dev/null && compgen -d -- "$cur")
		fi ;;
	esac
	return 0
}

# The command after "--" at word I, and its arguments.
_tamtrace_command()
{
	local i=$1 cur=$2
	if declare -F _command_offset >/dev/null; then
		_command_offset "$i"
	elif ((COMP_CWORD == i)); then
		COMPREPLY=($(compgen -c -- "$cur"))
	else
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

_tamtrace()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local bin sub= help subs i w arg
	COMPREPLY=()
	# --opt=value: bash splits at "=" (COMP_WORDBREAKS)
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD-2]}
	fi
	bin=$(_tamtrace_bin "${COMP_WORDS[0]}")
	[[ -n $bin ]] || return 0
	# "       tamtrace hist ...   (see tamtrace hist --help)"
	subs=$(_tamtrace_help "$bin" "" |
		sed -n 's/^ *tamtrace \([a-z][a-z]*\) \.\.\..*/\1/p')
	for w in $subs; do
		[[ ${COMP_WORDS[1]} == "$w" ]] && ((COMP_CWORD > 1)) && sub=$w
	done
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			_tamtrace_command $((i + 1)) "$cur"
			return 0
		fi
	done
	help=$(_tamtrace_help "$bin" "$sub")
	arg=$(_tamtrace_opts <<<"$help" | awk -v p="$prev" '$1 == p { print $2 }')
	if [[ $prev == -* && -n $arg && $arg != - ]]; then
		_tamtrace_arg "$bin" "$help" "$arg" "$cur"
		return 0
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_tamtrace_opts <<<"$help" |
			cut -d' ' -f1)" -- "$cur"))
	elif ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "$subs" -- "$cur"))
	fi
	return 0
}
complete -F _tamtrace tamtrace
