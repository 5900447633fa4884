//! The pattern parser against the specification's examples and malformed patterns.

use redline_stix::{
    parse_pattern,
    pattern::{ComparisonExpression, ComparisonOperator, ObservationExpression, Qualifier},
};

/// Examples from STIX 2.1 §9 (patterning) and the indicator examples.
const VALID: &[&str] = &[
    "[ipv4-addr:value = '198.51.100.7']",
    "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']",
    "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
    "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
    "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\System\\\\Foo\\\\Bar']",
    "[(file:name = 'pdf.exe' OR file:size = 371712) AND file:created = t'2014-01-13T07:03:17Z']",
    "[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']",
    "[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
    "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
    "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 180 SECONDS",
    "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
    "[url:value = 'http://example.com/foo'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
    "([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']",
    "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    "[file:mime_type = 'application/x-pdf' AND file:size > 1000000]",
    "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
    "[ipv4-addr:value ISSUPERSET '198.51.100.0/24']",
    "[file:name LIKE 'foo%.dll']",
    "[network-traffic:dst_port IN (80, 443, 8080)]",
    "[network-traffic:dst_port NOT IN (80, 443)]",
    "[artifact:payload_bin = b'iVBORw0KGgoAAAANSUhEUgAAADI=']",
    "[x-acme-blob:content != h'aabbccdd']",
    "[user-account:is_privileged = true]",
    "[network-traffic:src_port >= -1 AND network-traffic:dst_port <= +65535]",
    "[file:name <> 'a']",
    "[file:name == 'a']",
    "[x:list[0].name = 'a' AND x:list[-1].name = 'b']",
    "[file:'name' = 'it\\'s']",
    "[file:size = 0]",
    "[EXISTS file:name]",
];

#[test]
fn the_specification_examples_parse() {
    for pattern in VALID {
        if let Err(error) = parse_pattern(pattern) {
            panic!("`{pattern}` should parse: {error}");
        }
    }
}

#[test]
fn the_tree_says_what_the_pattern_says() {
    let tree =
        parse_pattern("[a-b:c = 1 OR a-b:d = 2] AND [x:y IN ('q')] REPEATS 2 TIMES").unwrap();
    let ObservationExpression::And(parts) = tree else {
        panic!("an AND of observations")
    };
    assert!(matches!(
        &parts[0],
        ObservationExpression::Comparison(ComparisonExpression::Or(tests)) if tests.len() == 2
    ));
    let ObservationExpression::Qualified {
        expression,
        qualifier,
    } = &parts[1]
    else {
        panic!("a qualified observation")
    };
    assert_eq!(qualifier, &Qualifier::Repeats { times: 2 });
    assert!(matches!(
        expression.as_ref(),
        ObservationExpression::Comparison(ComparisonExpression::Test {
            operator: ComparisonOperator::In,
            ..
        })
    ));
}

/// Malformed patterns with the column (1-based) the error must name.
const INVALID: &[(&str, usize)] = &[
    ("", 1),
    ("ipv4-addr:value = '1.2.3.4'", 1),
    ("[ipv4-addr:value = '198.51.100.7'", 34),
    ("[ipv4-addr:value = '198.51.100.7]", 20),
    ("[ipv4-addr:value '198.51.100.7']", 18),
    ("[ipv4-addr value = '1']", 12),
    ("[ipv4-addr: = '1']", 13),
    ("[file:size = 1] WITHIN SECONDS", 24),
    ("[file:size = 1] WITHIN 0 SECONDS", 24),
    ("[file:size = 1] WITHIN 5 MINUTES", 26),
    ("[file:size = 1] REPEATS -2 TIMES", 25),
    (
        "[file:size = 1] START t'2016-07-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'",
        52,
    ),
    (
        "[file:size = 1] START '2016-07-01T00:00:00Z' STOP t'2016-08-01T00:00:00Z'",
        23,
    ),
    ("[file:created = t'2016-13-01T00:00:00Z']", 17),
    ("[file:hashes.MD5 = h'abc']", 20),
    ("[artifact:payload_bin = b'not base64!']", 25),
    ("[file:name = 'a\\n']", 16),
    ("[file:name LIKE 5]", 17),
    ("[file:size > true]", 14),
    ("[file:size = 1] AND", 20),
    ("[file:size = 1] [file:size = 2]", 17),
    ("[file:size = 007]", 14),
    ("[file:name = 'a' # ]", 18),
    ("[file:name = 'a'] followedby [file:name = 'b']", 19),
    ("[network-traffic:dst_port IN (80 443)]", 34),
    ("[x:list[a] = 1]", 9),
];

#[test]
fn malformed_patterns_are_rejected_with_their_column() {
    for (pattern, column) in INVALID {
        match parse_pattern(pattern) {
            Ok(_) => panic!("`{pattern}` should not parse"),
            Err(error) => assert_eq!(
                error.column, *column,
                "`{pattern}`: {error} (expected column {column})"
            ),
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}[a:b = 1]{}", "(".repeat(10_000), ")".repeat(10_000));
    let error = parse_pattern(&deep).unwrap_err();
    assert!(error.message.contains("nested"), "{error}");
    let qualified = format!("[a:b = 1]{}", " REPEATS 2 TIMES".repeat(100_000));
    let error = parse_pattern(&qualified).unwrap_err();
    assert!(error.message.contains("qualifiers"), "{error}");
}

#[test]
fn short_and_odd_literals_do_not_panic() {
    for pattern in [
        "[a:b = t'']",
        "[a:b = t'2']",
        "[a:b = t'2016-01-01T00:00:00']",
        "[a:b = t'2016-01-01T00:00:00.Z']",
        "[a:b = h'']",
        "[a:b = b'']",
        "[a:b = '",
        "[a:b = 'x\\",
        "[a:b = -]",
        "[a:b = 99999999999999999999]",
        "[a:b[99999999999999999999] = 1]",
        "[a:b = 1.]",
        "[a:b = .5]",
        "[é:b = 1]",
        "((((",
    ] {
        let _ = parse_pattern(pattern);
    }
    assert!(parse_pattern("[a:b = t'2016-01-01T00:00:00.5Z']").is_ok());
    assert!(parse_pattern("[a:b = t'2016-01-01T00:00:00']").is_err());
}
