#!/bin/sh
# campro-iq.sh - board side of `campro-edge push-iq` (POSIX sh; runs under BusyBox ash).
#
# Installed by the host tool as <state>/bin/campro-iq.sh (state = /userdata/campro by default).
# Keeps, on the writable partition:
#   stock/<iq>      pristine copy of the board's original IQ file (written once, never replaced)
#   prev/<iq>       the IQ file that was active before the last switch
#   staged/<iq>.tmp an upload in progress
#   overlay/        (read-only root only) copy of the IQ directory, bind-mounted over it
#   pending         a switch not yet confirmed by the host's health check; the boot hook reverts
#                   it, so a power cut at any point leaves the previous IQ active
#   board.env       what the boot hook needs (IQ directory, file name, mode, service commands)
# Every replacement is "write a temporary file on the same filesystem, sync, rename".

STATE=$(cd "$(dirname "$0")/.." && pwd)
LOCK=${CP_LOCK:-/var/run/campro-iq.lock}
[ -d /var/run ] || [ -n "$CP_LOCK" ] || LOCK=/tmp/campro-iq.lock

die() { echo "campro-iq: $*" >&2; exit 1; }
log() { echo "campro-iq: $*"; logger -t campro-iq "$*" 2>/dev/null; return 0; }

load_env() {
    [ -f "$STATE/board.env" ] || die "not configured ($STATE/board.env missing)"
    . "$STATE/board.env"
}

active_path() {  # where the ISP reads the file now
    echo "$CP_IQDIR/$CP_IQNAME"
}

store_dir() {  # where the active file lives physically
    if [ "$CP_MODE" = overlay ]; then echo "$STATE/overlay"; else echo "$CP_IQDIR"; fi
}

overmounted() {
    while read -r dev mnt rest; do
        [ "$mnt" = "$CP_IQDIR" ] && return 0
    done < /proc/mounts
    return 1
}

# copy SRC to DST atomically (temporary name in DST's directory, sync, rename)
atomic_copy() {
    tmp="$(dirname "$2")/.$(basename "$2").campro-tmp"
    cp "$1" "$tmp" 2>/dev/null || { rm -f "$tmp"; return 1; }
    sync
    mv -f "$tmp" "$2" || { rm -f "$tmp"; return 1; }
    sync
}

cmd_configure() {  # board.env content (CP_IQDIR, CP_IQNAME, CP_MODE, CP_START, CP_STOP, CP_HOOK) on stdin
    mkdir -p "$STATE/stock" "$STATE/prev" "$STATE/staged" || die "cannot create $STATE"
    tmp="$STATE/.board.env.tmp"
    cat > "$tmp" || { rm -f "$tmp"; die "cannot write board.env (no space left?)"; }
    sync; mv -f "$tmp" "$STATE/board.env" || die "cannot write board.env"
    load_env
    if [ ! -f "$STATE/stock/$CP_IQNAME" ]; then
        if [ -f "$STATE/pending" ]; then die "a switch is pending; refusing to record the stock file"; fi
        atomic_copy "$(active_path)" "$STATE/stock/$CP_IQNAME" \
            || die "cannot keep the stock IQ file (no space left?)"
        log "kept pristine stock copy $STATE/stock/$CP_IQNAME"
    fi
}

cmd_lock() {  # OWNER LEASE_S
    now=$(date +%s)
    if mkdir "$LOCK" 2>/dev/null; then
        echo "$1 $now" > "$LOCK/owner"; echo "locked"; return 0
    fi
    set -- "$1" "$2" $(cat "$LOCK/owner" 2>/dev/null)
    if [ "$3" = "$1" ]; then
        echo "$1 $now" > "$LOCK/owner"; echo "locked (renewed)"; return 0
    fi
    if [ -n "$4" ] && [ $((now - $4)) -gt "$2" ]; then
        echo "$1 $now" > "$LOCK/owner"; echo "locked (stale lock of $3 taken over)"; return 0
    fi
    echo "busy: another push ($3) holds the board since $(( now - ${4:-$now} ))s" >&2
    exit 75
}

cmd_unlock() {  # OWNER
    set -- "$1" $(cat "$LOCK/owner" 2>/dev/null)
    [ "$1" = "$2" ] && rm -rf "$LOCK"
    return 0
}

cmd_setup_overlay() {
    load_env
    [ "$CP_MODE" = overlay ] || return 0
    if [ ! -d "$STATE/overlay" ]; then
        rm -rf "$STATE/overlay.new"
        mkdir -p "$STATE/overlay.new" || die "cannot create overlay"
        if overmounted; then die "$CP_IQDIR is already a mount point, not by us"; fi
        cp -a "$CP_IQDIR/." "$STATE/overlay.new/" 2>/dev/null \
            || { rm -rf "$STATE/overlay.new"; die "cannot copy $CP_IQDIR to the overlay (no space left?)"; }
        sync; mv "$STATE/overlay.new" "$STATE/overlay" || die "cannot create overlay"; sync
        log "overlay $STATE/overlay created from $CP_IQDIR"
    fi
    if ! overmounted; then
        mount --bind "$STATE/overlay" "$CP_IQDIR" || die "cannot bind-mount the overlay on $CP_IQDIR"
        log "overlay mounted on $CP_IQDIR"
    fi
}

cmd_check() {  # FILE SHA256
    set -- "$1" "$2" $(sha256sum "$1" 2>/dev/null)
    [ "$3" = "$2" ] || die "checksum mismatch for $1 (board: ${3:-unreadable}, host: $2)"
    echo "ok"
}

cmd_switch() {  # STAGED_FILE
    load_env
    [ -f "$1" ] || die "staged file $1 missing"
    a="$(active_path)"
    atomic_copy "$a" "$STATE/prev/$CP_IQNAME" || die "cannot back up the active IQ file (no space left?)"
    if [ -f "$STATE/active.json" ]; then cp "$STATE/active.json" "$STATE/prev.json"; else rm -f "$STATE/prev.json"; fi
    echo "$CP_IQNAME $(date +%s)" > "$STATE/.pending.tmp" && sync \
        && mv -f "$STATE/.pending.tmp" "$STATE/pending" && sync || die "cannot record the switch"
    if [ "$CP_MODE" = overlay ]; then
        mv -f "$1" "$STATE/overlay/$CP_IQNAME" || die "cannot switch the IQ file"
        sync
    else
        atomic_copy "$1" "$CP_IQDIR/$CP_IQNAME" || die "cannot switch the IQ file"
        rm -f "$1"
    fi
    log "switched $a (pending health check)"
}

cmd_commit() {  # META (one line of JSON)
    load_env
    printf '%s\n' "$1" > "$STATE/.active.json.tmp" && sync && mv -f "$STATE/.active.json.tmp" "$STATE/active.json"
    rm -f "$STATE/pending" "$STATE"/staged/*
    sync
    log "switch committed"
}

restore_from() {  # FILE
    load_env
    [ -f "$1" ] || die "no copy to restore ($1 missing)"
    atomic_copy "$1" "$(store_dir)/$CP_IQNAME" || die "cannot restore $1"
}

cmd_revert() {  # undo a switch that was not committed (no-op without one)
    load_env
    [ -f "$STATE/pending" ] || { rm -f "$STATE"/staged/*; return 0; }
    restore_from "$STATE/prev/$CP_IQNAME"
    [ -f "$STATE/prev.json" ] && cp "$STATE/prev.json" "$STATE/active.json"
    rm -f "$STATE/pending" "$STATE"/staged/*
    sync
    log "restored the previous IQ file"
}

cmd_stage_copy() {  # stock|prev : stage that copy for a switch (a rollback is a switch)
    load_env
    src="$STATE/$1/$CP_IQNAME"
    [ -f "$src" ] || die "no $1 copy of $CP_IQNAME on the board"
    atomic_copy "$src" "$STATE/staged/$CP_IQNAME.tmp" || die "cannot stage $1 copy (no space left?)"
    [ "$1" = prev ] && [ -f "$STATE/prev.json" ] && cp "$STATE/prev.json" "$STATE/staged/meta.json"
    echo "$STATE/staged/$CP_IQNAME.tmp"
}

cmd_hook_install() {
    load_env
    line="[ -x $STATE/bin/campro-iq.sh ] && $STATE/bin/campro-iq.sh boot  # campro-edge"
    if [ -f "$CP_HOOK" ] && grep -q "campro-iq.sh boot" "$CP_HOOK"; then return 0; fi
    mkdir -p "$(dirname "$CP_HOOK")" || die "cannot create $(dirname "$CP_HOOK")"
    tmp="$(dirname "$CP_HOOK")/.$(basename "$CP_HOOK").campro-tmp"
    if [ -f "$CP_HOOK" ]; then cp -p "$CP_HOOK" "$tmp"; else echo "#!/bin/sh" > "$tmp"; fi \
        || { rm -f "$tmp"; die "cannot write the boot hook (no space left?)"; }
    echo "$line" >> "$tmp" || { rm -f "$tmp"; die "cannot write the boot hook"; }
    chmod +x "$tmp"; sync; mv -f "$tmp" "$CP_HOOK" || die "cannot install the boot hook"; sync
    log "boot hook added to $CP_HOOK"
}

cmd_boot() {  # run by init (the hook): re-mount the overlay, undo an unconfirmed switch
    [ -f "$STATE/board.env" ] || return 0
    load_env
    changed=0
    rm -rf "$STATE/overlay.new" "$STATE"/staged/* 2>/dev/null
    if [ "$CP_MODE" = overlay ] && [ -d "$STATE/overlay" ] && ! overmounted; then
        mount --bind "$STATE/overlay" "$CP_IQDIR" && changed=1
    fi
    if [ -f "$STATE/pending" ]; then
        cmd_revert
        log "boot: unconfirmed switch reverted"
        changed=1
    fi
    if [ $changed = 1 ]; then
        eval "$CP_STOP" >/dev/null 2>&1
        eval "$CP_START"
    fi
    return 0
}

cmd_status() {
    load_env
    echo "mode=$CP_MODE"
    echo "iq_path=$(active_path)"
    overmounted && echo "overmounted=1" || echo "overmounted=0"
    for f in "$(active_path)" "$STATE/stock/$CP_IQNAME" "$STATE/prev/$CP_IQNAME"; do
        [ -f "$f" ] && echo "sha256=$(sha256sum "$f")"
    done
    [ -f "$STATE/pending" ] && echo "pending=1"
    [ -f "$STATE/active.json" ] && echo "meta=$(cat "$STATE/active.json")"
    return 0
}

verb=$1; [ $# -gt 0 ] && shift
case "$verb" in
    configure) cmd_configure "$@" ;;
    lock) cmd_lock "$@" ;;
    unlock) cmd_unlock "$@" ;;
    setup-overlay) cmd_setup_overlay ;;
    check) cmd_check "$@" ;;
    switch) cmd_switch "$@" ;;
    commit) cmd_commit "$@" ;;
    revert) cmd_revert ;;
    stage-copy) cmd_stage_copy "$@" ;;
    hook-install) cmd_hook_install ;;
    boot) cmd_boot ;;
    status) cmd_status ;;
    *) die "usage: $0 configure|lock|unlock|setup-overlay|check|switch|commit|revert|stage-copy|hook-install|boot|status" ;;
esac
