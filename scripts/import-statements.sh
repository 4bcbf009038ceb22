#!/bin/bash
# Import speed and statements per unit (issue 11); see BENCHMARKS.md, "Import: every level…".
#   rectify generate --units 210 --seed 1 --today 2025-06-18 -o "$DATA/units"
#   DATA=/tmp/import-bench bash scripts/with-postgres.sh scripts/import-statements.sh BIN LABEL
# Times `rectify import` of units 1-200 into a fresh SQLite file and a fresh PostgreSQL database,
# then counts the statements PostgreSQL logs (log_statement=all) while units 201-210 are imported
# into a database already migrated.
set -euo pipefail
BIN=$1; L=$2
cd "${DATA:-/tmp/import-bench}"
U=$RECTIFY_TEST_POSTGRES_URL; BASE=${U%/*}
PSQL="psql -h 127.0.0.1 -p ${BASE##*:} -U postgres -Atq"
files=$(for i in $(seq -w 1 200); do echo units/unit-0$i.json; done)
rm -f s-$L.db*
s=$(date +%s.%N); $BIN import $files --database sqlite:s-$L.db >/dev/null 2>&1; e=$(date +%s.%N)
echo "$L sqlite 200 units: $(echo "$e - $s" | bc) s"
$PSQL -c "create database p_$L"
s=$(date +%s.%N); $BIN import $files --database $BASE/p_$L >/dev/null 2>&1; e=$(date +%s.%N)
echo "$L postgres 200 units: $(echo "$e - $s" | bc) s"
$PSQL -c "create database c_$L"
$BIN import units/unit-0001.json --database $BASE/c_$L >/dev/null 2>&1

log=$($PSQL -c "show data_directory")/server.log
before=$(grep -cE 'LOG:  (statement|execute)' $log || true)
$PSQL -c "alter system set log_statement = 'all'"; $PSQL -c "select pg_reload_conf()" >/dev/null
sleep 0.5
$BIN import units/unit-02{01..10}.json --database $BASE/c_$L >/dev/null 2>&1
$PSQL -c "alter system reset log_statement"; $PSQL -c "select pg_reload_conf()" >/dev/null
sleep 0.5
after=$(grep -cE 'LOG:  (statement|execute)' $log || true)
echo "$L postgres statements for 10 units: $((after - before)) (incl. 3 of this script)"
grep -E 'LOG:  (statement|execute)' $log | tail -n +$((before+1)) | sed -E 's/.*LOG:  (statement|execute [^:]*): //' | cut -c1-60 | sort | uniq -c | sort -rn | head -25
