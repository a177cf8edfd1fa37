# Sourced by ./deckhand and .ci/run: finds a JDK that can build and run Deckhand (21 or newer).

# Prints the major version of the JDK in $1 (8 for 1.8), or nothing if it is not a JDK.
jdk_major() {
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    local version
    version=$("$1/bin/java" -version 2>&1 | awk -F'"' '/ version "/ { print $2; exit }')
    case $version in
        1.*) version=${version#1.} ;;
    esac
    version=${version%%[!0-9]*}
    [ -n "$version" ] && echo "$version"
    return 0
}

# $JAVA_HOME if it is 21+, else the newest 21+ under /usr/lib/jvm; nothing if none.
find_jdk() {
    local major
    if [ -n "${JAVA_HOME:-}" ]; then
        major=$(jdk_major "$JAVA_HOME")
        if [ -n "$major" ] && [ "$major" -ge 21 ]; then
            echo "$JAVA_HOME"
            return
        fi
    fi
    local best="" best_major=0 home
    for home in /usr/lib/jvm/*; do
        [ -d "$home" ] || continue
        major=$(jdk_major "$home")
        if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
            best=$home
            best_major=$major
        fi
    done
    echo "$best"
}
