/**
 * graphql-js repeats a refused variable's value in its message (`Variable "$token" got invalid
 * value "…"; String cannot represent a non string value: …`). A caller who sends a token, an
 * SSO code or an attestation token under the wrong type would get it back in the response and in
 * the operation's log line, where no secret may appear: keep the variable's name and the rule it
 * broke, never the value.
 */
const VARIABLE_VALUE = /^(Variable "\$[^"]*" got invalid value) (?:"(?:[^"\\]|\\.)*"|[^;]*?)((?: at "[^"]*")?; )/s;
/** The inner reason's own echo: `Int cannot represent non-integer value: "…"`, `… found "…"`, `… value: …`. */
const REASON_VALUE = /((?:cannot represent[^:]*value|; found|Expected value of type "[^"]*", found)):? .*$/s;

export function withoutVariableValue(message: string): string {
  if (!VARIABLE_VALUE.test(message)) return message;
  return message.replace(VARIABLE_VALUE, '$1$2').replace(REASON_VALUE, '$1');
}
