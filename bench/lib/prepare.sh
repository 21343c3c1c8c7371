# Sourced by the bench/<workload> scripts: builds the harness, resolves Kafka's broker jars and
# builds Ferry when a source is newer than its jar, as bench/run does. Expects ROOT (the repository)
# as the working directory and a say() function; sets KAFKA_LIB and MVN.

MVN=(mvn -q)
if [[ "${BENCH_OFFLINE:-}" == 1 ]]; then MVN+=(-o); fi

say "building the harness (bench/pom.xml)"
"${MVN[@]}" -f bench/pom.xml package

KAFKA_LIB="bench/work/kafka-lib"
stamp="$KAFKA_LIB/.resolved-$(sha1sum bench/kafka-dist/pom.xml | cut -c1-12)"
if [[ ! -f "$stamp" ]]; then
  say "resolving Apache Kafka 4.4.0 from Maven Central into $KAFKA_LIB"
  rm -rf "$KAFKA_LIB"
  mkdir -p "$KAFKA_LIB"
  "${MVN[@]}" -f bench/kafka-dist/pom.xml dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$ROOT/$KAFKA_LIB"
  touch "$stamp"
fi

jar=$(ls ferry-tools/target/ferry-tools-*.jar 2>/dev/null | grep -v -e '-sources' -e '-tests' | head -1 || true)
if [[ -z "$jar" ]] || [[ -n "$(find pom.xml ferry-*/pom.xml ferry-*/src -newer "$jar" -print -quit)" ]]; then
  say "building Ferry (mvn -DskipTests package)"
  "${MVN[@]}" -DskipTests package
fi
bin/ferry --version >/dev/null # makes bin/ferry's class-data archive, as a first start would
