#!/bin/sh
# nginx-module.sh SRC OUT MODULE: builds nginx/module (wa_body_deadline,
# docs/operations.md) as a dynamic module of the nginx installed here.
#
# Debian's nginx-dev ships nginx's sources (headers and the configure
# scripts) in SRC with the flags its nginx was built with (conf_flags);
# a module configured with the same flags has the same signature and
# loads.  The sources are copied to OUT/src once per nginx version (the
# configure run takes half a minute); the module is rebuilt when it
# changes.  The result is OUT/ngx_http_wa_deadline_module.so.
set -eu
src=$1 out=$2 mod=$3
name=ngx_http_wa_deadline_module

die() { printf 'nginx-module: %s\n' "$*" >&2; exit 1; }

[ -f "$src/conf_flags" ] || die "$src/conf_flags is missing: install nginx-dev (make deps)"
want=$(sed -n 's/^#define NGINX_VERSION *"\(.*\)"/\1/p' "$src/src/core/nginx.h")
have=$(nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')
[ "$want" = "$have" ] || die "nginx-dev is for nginx $want, nginx is $have: install the same version of both"

mkdir -p "$out"
if [ ! -f "$out/src/objs/Makefile" ] || [ "$(cat "$out/src/.version" 2>/dev/null)" != "$want" ]; then
	rm -rf "$out/src"
	cp -R "$src" "$out/src"
	# NGX_CONF_FLAGS=( --prefix=... --with-compat ... ): a bash array
	flags=$(sed -n 's/^NGX_CONF_FLAGS=( *\(.*\) *)$/\1/p' "$src/conf_flags")
	[ -n "$flags" ] || die "cannot read $src/conf_flags"
	printf 'nginx-module: configuring nginx %s for the module (once)\n' "$want" >&2
	# shellcheck disable=SC2086 # the flags are words
	(cd "$out/src" && ./configure $flags --add-dynamic-module="$mod" \
	    > ../configure.log 2>&1) || die "configure failed: $out/configure.log"
	echo "$want" > "$out/src/.version"
fi
(cd "$out/src" && make -s -f objs/Makefile modules > ../make.log 2>&1) ||
    { cat "$out/make.log" >&2; die "the module did not build"; }
cp "$out/src/objs/$name.so" "$out/$name.so.tmp"
mv "$out/$name.so.tmp" "$out/$name.so"
