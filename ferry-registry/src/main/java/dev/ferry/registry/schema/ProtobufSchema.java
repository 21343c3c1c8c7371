package dev.ferry.registry.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Protobuf schema ({@code .proto} text, proto2 or proto3), parsed by Ferry's small parser into
 * messages and their fields by number. Compatibility covers the common cases of Confluent's rules:
 * package changed, message removed, a field's type changed (except within Protobuf's
 * wire-compatible scalar groups), single and repeated swapped, proto2 required fields added or
 * removed. Options, services, extensions and imported definitions are not compared;
 * docs/schema-registry.md lists it.
 */
public final class ProtobufSchema implements ParsedSchema {

  /** One field: its declared type as written (scalar or message/enum name) and label. */
  record Field(String name, String type, String label) {}

  private static final List<Set<String>> WIRE_COMPATIBLE =
      List.of(
          Set.of("int32", "uint32", "int64", "uint64", "bool"),
          Set.of("sint32", "sint64"),
          Set.of("fixed32", "sfixed32"),
          Set.of("fixed64", "sfixed64"),
          Set.of("string", "bytes"));

  private final String text;
  private final String packageName;
  private final Map<String, Map<Integer, Field>> messages;

  private ProtobufSchema(
      String text, String packageName, Map<String, Map<Integer, Field>> messages) {
    this.text = text;
    this.packageName = packageName;
    this.messages = messages;
  }

  public static ProtobufSchema parse(String text) {
    ProtoParser p = new ProtoParser(text);
    p.parseFile();
    if (p.messages.isEmpty() && p.enums == 0) {
      throw new InvalidSchemaException("Invalid schema: no message or enum defined");
    }
    return new ProtobufSchema(text.trim(), p.packageName, p.messages);
  }

  /** Fully qualified message names (without the package) in declaration order. */
  public List<String> messageNames() {
    return new ArrayList<>(messages.keySet());
  }

  @Override
  public SchemaType type() {
    return SchemaType.PROTOBUF;
  }

  @Override
  public String canonical() {
    return text;
  }

  @Override
  public List<String> readerIncompatibilities(ParsedSchema writerSchema) {
    ProtobufSchema writer = (ProtobufSchema) writerSchema;
    List<String> out = new ArrayList<>();
    if (!packageName.equals(writer.packageName)) {
      out.add("PACKAGE_CHANGED: " + writer.packageName + " to " + packageName);
    }
    for (Map.Entry<String, Map<Integer, Field>> m : writer.messages.entrySet()) {
      Map<Integer, Field> readerFields = messages.get(m.getKey());
      if (readerFields == null) {
        out.add("MESSAGE_REMOVED: " + m.getKey());
        continue;
      }
      for (Map.Entry<Integer, Field> f : m.getValue().entrySet()) {
        Field w = f.getValue();
        Field r = readerFields.get(f.getKey());
        String where = m.getKey() + "." + w.name() + " (" + f.getKey() + ")";
        if (r == null) {
          if (w.label().equals("required")) {
            out.add("REQUIRED_FIELD_REMOVED: " + where);
          }
          continue;
        }
        if (r.label().equals("repeated") != w.label().equals("repeated")) {
          out.add("FIELD_LABEL_CHANGED: " + where);
        }
        if (!typesCompatible(r.type(), w.type())) {
          out.add("FIELD_TYPE_CHANGED: " + where + " " + w.type() + " to " + r.type());
        }
      }
      for (Map.Entry<Integer, Field> f : readerFields.entrySet()) {
        if (f.getValue().label().equals("required") && !m.getValue().containsKey(f.getKey())) {
          out.add("REQUIRED_FIELD_ADDED: " + m.getKey() + "." + f.getValue().name());
        }
      }
    }
    return out;
  }

  private static boolean typesCompatible(String a, String b) {
    if (simpleName(a).equals(simpleName(b))) {
      return true;
    }
    for (Set<String> group : WIRE_COMPATIBLE) {
      if (group.contains(a) && group.contains(b)) {
        return true;
      }
    }
    return false;
  }

  private static String simpleName(String type) {
    int dot = type.lastIndexOf('.');
    return dot < 0 ? type : type.substring(dot + 1);
  }

  /** A recursive-descent parser of the parts of the .proto grammar that matter here. */
  private static final class ProtoParser {
    private final List<String> tokens;
    private int pos;
    String packageName = "";
    final Map<String, Map<Integer, Field>> messages = new LinkedHashMap<>();
    int enums;

    ProtoParser(String text) {
      this.tokens = tokenize(text);
    }

    void parseFile() {
      while (pos < tokens.size()) {
        String t = next();
        switch (t) {
          case "syntax", "edition" -> {
            expect("=");
            String v = next();
            if (!v.equals("\"proto2\"") && !v.equals("\"proto3\"") && !t.equals("edition")) {
              throw invalid("unknown syntax " + v);
            }
            expect(";");
          }
          case "package" -> {
            packageName = next();
            expect(";");
          }
          case "import", "option" -> skipStatement();
          case "message" -> message("");
          case "enum" -> enumBody();
          case "service", "extend" -> {
            next();
            skipBlock();
          }
          case ";" -> {}
          default -> throw invalid("unexpected '" + t + "'");
        }
      }
    }

    private void message(String outer) {
      String name = identifier();
      String full = outer.isEmpty() ? name : outer + "." + name;
      Map<Integer, Field> fields = new LinkedHashMap<>();
      messages.put(full, fields);
      expect("{");
      while (!peek().equals("}")) {
        String t = next();
        switch (t) {
          case "message" -> message(full);
          case "enum" -> enumBody();
          case "option", "reserved", "extensions" -> skipStatement();
          case "extend" -> {
            next();
            skipBlock();
          }
          case "oneof" -> {
            identifier();
            expect("{");
            while (!peek().equals("}")) {
              if (peek().equals("option")) {
                next();
                skipStatement();
              } else {
                field(fields, "", next());
              }
            }
            expect("}");
          }
          case ";" -> {}
          case "repeated", "optional", "required" -> field(fields, t, next());
          default -> field(fields, "", t);
        }
      }
      expect("}");
    }

    private void field(Map<Integer, Field> fields, String label, String type) {
      if (type.equals("map")) {
        expect("<");
        String k = next();
        expect(",");
        String v = next();
        expect(">");
        type = "map<" + k + "," + v + ">";
        label = "repeated";
      }
      if (type.equals("group")) {
        throw invalid("groups are not supported");
      }
      String name = identifier();
      expect("=");
      String number = next();
      int n;
      try {
        n = Integer.parseInt(number);
      } catch (NumberFormatException e) {
        throw invalid("field number " + number + " of " + name);
      }
      if (n < 1 || n > 536_870_911) {
        throw invalid("field number " + n + " of " + name + " out of range");
      }
      if (fields.containsKey(n)) {
        throw invalid("field number " + n + " used twice");
      }
      if (peek().equals("[")) {
        while (!next().equals("]")) {
          // field options
        }
      }
      expect(";");
      fields.put(n, new Field(name, type, label));
    }

    private void enumBody() {
      identifier();
      enums++;
      skipBlock();
    }

    private void skipBlock() {
      expect("{");
      int depth = 1;
      while (depth > 0) {
        String t = next();
        if (t.equals("{")) {
          depth++;
        } else if (t.equals("}")) {
          depth--;
        }
      }
    }

    private void skipStatement() {
      int depth = 0;
      while (true) {
        String t = next();
        if (t.equals("{")) {
          depth++;
        } else if (t.equals("}")) {
          depth--;
        } else if (t.equals(";") && depth == 0) {
          return;
        }
      }
    }

    private String identifier() {
      String t = next();
      if (!Character.isJavaIdentifierStart(t.charAt(0))) {
        throw invalid("expected a name, got '" + t + "'");
      }
      return t;
    }

    private void expect(String s) {
      String t = next();
      if (!t.equals(s)) {
        throw invalid("expected '" + s + "', got '" + t + "'");
      }
    }

    private String peek() {
      if (pos >= tokens.size()) {
        throw invalid("unexpected end");
      }
      return tokens.get(pos);
    }

    private String next() {
      String t = peek();
      pos++;
      return t;
    }

    private static InvalidSchemaException invalid(String why) {
      return new InvalidSchemaException("Invalid schema: " + why);
    }

    private static List<String> tokenize(String s) {
      List<String> out = new ArrayList<>();
      int i = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (s.startsWith("//", i)) {
          int nl = s.indexOf('\n', i);
          i = nl < 0 ? s.length() : nl + 1;
        } else if (s.startsWith("/*", i)) {
          int end = s.indexOf("*/", i + 2);
          if (end < 0) {
            throw invalid("unterminated comment");
          }
          i = end + 2;
        } else if (c == '"' || c == '\'') {
          int j = i + 1;
          while (j < s.length() && s.charAt(j) != c) {
            j += s.charAt(j) == '\\' ? 2 : 1;
          }
          if (j >= s.length()) {
            throw invalid("unterminated string");
          }
          out.add(s.substring(i, j + 1));
          i = j + 1;
        } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '+') {
          int j = i;
          while (j < s.length()) {
            char d = s.charAt(j);
            if (!(Character.isLetterOrDigit(d) || d == '_' || d == '.' || d == '-' || d == '+')) {
              break;
            }
            j++;
          }
          out.add(s.substring(i, j));
          i = j;
        } else {
          out.add(String.valueOf(c));
          i++;
        }
      }
      return out;
    }
  }
}
