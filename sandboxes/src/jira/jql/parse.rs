//! JQL syntax: a tokenizer and a recursive-descent parser for clauses joined by `AND` with an
//! optional `ORDER BY`. Errors read like Jira's, with the character position.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Op(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// 1-based character position.
    pos: usize,
}

impl Token {
    fn text(&self) -> String {
        match &self.tok {
            Tok::Word(word) => word.clone(),
            Tok::Str(text) => text.clone(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::LBracket => "[".into(),
            Tok::RBracket => "]".into(),
            Tok::Comma => ",".into(),
            Tok::Op(op) => (*op).into(),
        }
    }

    fn is_word(&self, keyword: &str) -> bool {
        matches!(&self.tok, Tok::Word(word) if word.eq_ignore_ascii_case(keyword))
    }
}

fn syntax_error(message: impl AsRef<str>, pos: usize) -> String {
    format!("Error in the JQL Query: {} (line 1, character {pos})", message.as_ref())
}

const RESERVED_CHARS: &str = "{}+^$#@%;?|&*/\\";
const RESERVED_WORDS: [&str; 11] = [
    "and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc",
];

fn tokenize(jql: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = jql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if c.is_whitespace() {
            i += 1;
        } else if let Some(tok) = single {
            tokens.push(Token { tok, pos });
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut text = String::new();
            let mut j = i + 1;
            let mut closed = false;
            while j < chars.len() {
                match chars[j] {
                    '\\' if j + 1 < chars.len() => {
                        text.push(chars[j + 1]);
                        j += 2;
                    }
                    q if q == c => {
                        closed = true;
                        j += 1;
                        break;
                    }
                    other => {
                        text.push(other);
                        j += 1;
                    }
                }
            }
            if !closed {
                return Err(syntax_error(
                    format!("The quoted string '{text}' has not been completed."),
                    pos,
                ));
            }
            tokens.push(Token {
                tok: Tok::Str(text),
                pos,
            });
            i = j;
        } else if matches!(c, '=' | '!' | '~' | '<' | '>') {
            let next = chars.get(i + 1).copied();
            let (op, len) = match (c, next) {
                ('!', Some('=')) => ("!=", 2),
                ('!', Some('~')) => ("!~", 2),
                ('<', Some('=')) => ("<=", 2),
                ('>', Some('=')) => (">=", 2),
                ('=', _) => ("=", 1),
                ('~', _) => ("~", 1),
                ('<', _) => ("<", 1),
                ('>', _) => (">", 1),
                _ => {
                    return Err(syntax_error("The character '!' must be followed by '=' or '~'.", pos));
                }
            };
            tokens.push(Token { tok: Tok::Op(op), pos });
            i += len;
        } else if RESERVED_CHARS.contains(c) {
            return Err(syntax_error(
                format!(
                    "The character '{c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u{:04x}' instead.",
                    u32::from(c)
                ),
                pos,
            ));
        } else {
            let mut word = String::new();
            let mut j = i;
            while j < chars.len() {
                let w = chars[j];
                if w.is_whitespace() || "\"'()[],=!~<>".contains(w) || RESERVED_CHARS.contains(w) {
                    break;
                }
                word.push(w);
                j += 1;
            }
            tokens.push(Token {
                tok: Tok::Word(word),
                pos,
            });
            i = j;
        }
    }
    Ok(tokens)
}

/// A field as written in the query.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum FieldRef {
    Name(String),
    Custom(u64),
    Property { key: String, path: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Op {
    Eq,
    NotEq,
    Like,
    NotLike,
    In,
    NotIn,
    Is,
    IsNot,
    Compare(&'static str),
}

impl Op {
    pub(super) fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::NotEq => "!=",
            Op::Like => "~",
            Op::NotLike => "!~",
            Op::In => "in",
            Op::NotIn => "not in",
            Op::Is => "is",
            Op::IsNot => "is not",
            Op::Compare(op) => op,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Operand {
    Value(String),
    List(Vec<String>),
    Empty,
}

#[derive(Debug, Clone)]
pub(super) struct RawClause {
    pub(super) field: FieldRef,
    /// The field as written (for messages).
    pub(super) field_text: String,
    pub(super) op: Op,
    pub(super) operand: Operand,
}

#[derive(Debug, Clone)]
pub(super) struct RawOrder {
    pub(super) field: FieldRef,
    pub(super) field_text: String,
    pub(super) ascending: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Ast {
    pub(super) clauses: Vec<RawClause>,
    pub(super) order: Vec<RawOrder>,
}

struct Parser {
    tokens: Vec<Token>,
    index: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.index)
    }

    fn peek_at(&self, offset: usize) -> Option<&Token> {
        self.tokens.get(self.index + offset)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.index).cloned();
        if token.is_some() {
            self.index += 1;
        }
        token
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Token, String> {
        match self.next() {
            Some(token) if token.tok == tok => Ok(token),
            Some(token) => Err(syntax_error(
                format!("Expecting '{what}' but got '{}'.", token.text()),
                token.pos,
            )),
            None => Err(syntax_error(
                format!("Expecting '{what}' but the query ended."),
                self.end,
            )),
        }
    }

    fn parse(mut self) -> Result<Ast, String> {
        let mut ast = Ast::default();
        if self.peek().is_none() {
            return Ok(ast);
        }
        if !self.peek().is_some_and(|t| t.is_word("order")) {
            ast.clauses.push(self.clause()?);
            loop {
                match self.peek() {
                    None => return Ok(ast),
                    Some(t) if t.is_word("and") => {
                        self.next();
                        ast.clauses.push(self.clause()?);
                    }
                    Some(t) if t.is_word("or") => {
                        return Err(syntax_error(
                            "'OR' is not supported by the Jira sandbox; join clauses with AND.",
                            t.pos,
                        ));
                    }
                    Some(t) if t.is_word("order") => break,
                    Some(t) => {
                        return Err(syntax_error(
                            format!("Expecting either 'OR' or 'AND' but got '{}'.", t.text()),
                            t.pos,
                        ));
                    }
                }
            }
        }
        // ORDER BY
        self.next();
        match self.next() {
            Some(t) if t.is_word("by") => {}
            Some(t) => {
                return Err(syntax_error(format!("Expecting 'BY' but got '{}'.", t.text()), t.pos));
            }
            None => return Err(syntax_error("Expecting 'BY' but the query ended.", self.end)),
        }
        loop {
            let (field, field_text) = self.field()?;
            let ascending = match self.peek() {
                Some(t) if t.is_word("asc") => {
                    self.next();
                    Some(true)
                }
                Some(t) if t.is_word("desc") => {
                    self.next();
                    Some(false)
                }
                _ => None,
            };
            ast.order.push(RawOrder {
                field,
                field_text,
                ascending,
            });
            match self.next() {
                None => return Ok(ast),
                Some(Token { tok: Tok::Comma, .. }) => {}
                Some(t) => {
                    return Err(syntax_error(
                        format!("Expecting ',' or the end of the query but got '{}'.", t.text()),
                        t.pos,
                    ));
                }
            }
        }
    }

    fn field(&mut self) -> Result<(FieldRef, String), String> {
        let Some(token) = self.next() else {
            return Err(syntax_error("Expecting a field name but the query ended.", self.end));
        };
        match token.tok {
            Tok::Word(ref word) if word.eq_ignore_ascii_case("not") => Err(syntax_error(
                "'NOT' is not supported by the Jira sandbox; use '!=' or 'NOT IN'.",
                token.pos,
            )),
            Tok::Word(ref word) if RESERVED_WORDS.contains(&word.to_ascii_lowercase().as_str()) => Err(syntax_error(
                format!("Expecting a field name but got '{word}'."),
                token.pos,
            )),
            Tok::Word(ref word)
                if word.eq_ignore_ascii_case("cf") && matches!(self.peek(), Some(Token { tok: Tok::LBracket, .. })) =>
            {
                self.next();
                let number = self.next();
                let id = match &number {
                    Some(Token {
                        tok: Tok::Word(digits), ..
                    }) => digits.parse::<u64>().ok(),
                    _ => None,
                };
                let Some(id) = id else {
                    let (got, pos) = number.map_or((String::new(), self.end), |t| (t.text(), t.pos));
                    return Err(syntax_error(
                        format!("Expecting a custom field id in 'cf[...]' but got '{got}'."),
                        pos,
                    ));
                };
                self.expect(Tok::RBracket, "]")?;
                Ok((FieldRef::Custom(id), format!("cf[{id}]")))
            }
            Tok::Word(ref word)
                if word.eq_ignore_ascii_case("issue.property")
                    && matches!(self.peek(), Some(Token { tok: Tok::LBracket, .. })) =>
            {
                self.next();
                let key = match self.next() {
                    Some(Token {
                        tok: Tok::Word(key) | Tok::Str(key),
                        ..
                    }) => key,
                    Some(t) => {
                        return Err(syntax_error(
                            format!("Expecting a property key but got '{}'.", t.text()),
                            t.pos,
                        ));
                    }
                    None => {
                        return Err(syntax_error("Expecting a property key but the query ended.", self.end));
                    }
                };
                self.expect(Tok::RBracket, "]")?;
                let mut path = Vec::new();
                if let Some(Token {
                    tok: Tok::Word(rest), ..
                }) = self.peek()
                    && rest.starts_with('.')
                {
                    path = rest
                        .split('.')
                        .filter(|segment| !segment.is_empty())
                        .map(str::to_string)
                        .collect();
                    self.next();
                }
                let text = if path.is_empty() {
                    format!("issue.property[{key}]")
                } else {
                    format!("issue.property[{key}].{}", path.join("."))
                };
                Ok((FieldRef::Property { key, path }, text))
            }
            Tok::Word(word) | Tok::Str(word) => Ok((FieldRef::Name(word.clone()), word)),
            Tok::LParen => Err(syntax_error(
                "Parentheses are not supported by the Jira sandbox; join clauses with AND.",
                token.pos,
            )),
            _ => Err(syntax_error(
                format!("Expecting a field name but got '{}'.", token.text()),
                token.pos,
            )),
        }
    }

    fn operator(&mut self) -> Result<Op, String> {
        let expecting = |got: &str| {
            format!(
                "Expecting operator but got '{got}'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."
            )
        };
        let Some(token) = self.next() else {
            return Err(syntax_error(expecting(""), self.end));
        };
        Ok(match &token.tok {
            Tok::Op("=") => Op::Eq,
            Tok::Op("!=") => Op::NotEq,
            Tok::Op("~") => Op::Like,
            Tok::Op("!~") => Op::NotLike,
            Tok::Op(op) => Op::Compare(op),
            _ if token.is_word("in") => Op::In,
            _ if token.is_word("not") && self.peek().is_some_and(|t| t.is_word("in")) => {
                self.next();
                Op::NotIn
            }
            _ if token.is_word("is") => {
                if self.peek().is_some_and(|t| t.is_word("not")) {
                    self.next();
                    Op::IsNot
                } else {
                    Op::Is
                }
            }
            _ => return Err(syntax_error(expecting(&token.text()), token.pos)),
        })
    }

    fn value(&mut self) -> Result<Operand, String> {
        let Some(token) = self.next() else {
            return Err(syntax_error(
                "Expecting either a value, list or function but the query ended.",
                self.end,
            ));
        };
        match &token.tok {
            Tok::Str(text) => Ok(Operand::Value(text.clone())),
            Tok::Word(_) if token.is_word("empty") || token.is_word("null") => Ok(Operand::Empty),
            Tok::Word(word) if matches!(self.peek(), Some(Token { tok: Tok::LParen, .. })) => Err(syntax_error(
                format!("JQL functions such as '{word}()' are not supported by the Jira sandbox."),
                token.pos,
            )),
            Tok::Word(word) if RESERVED_WORDS.contains(&word.to_ascii_lowercase().as_str()) => Err(syntax_error(
                format!(
                    "Expecting either a value, list or function but got '{word}'. You must surround '{word}' in quotation marks to use it as a value."
                ),
                token.pos,
            )),
            Tok::Word(word) => Ok(Operand::Value(word.clone())),
            _ => Err(syntax_error(
                format!("Expecting either a value, list or function but got '{}'.", token.text()),
                token.pos,
            )),
        }
    }

    fn clause(&mut self) -> Result<RawClause, String> {
        let (field, field_text) = self.field()?;
        let op = self.operator()?;
        let operand = match op {
            Op::Is | Op::IsNot => match self.next() {
                Some(t) if t.is_word("empty") || t.is_word("null") => Operand::Empty,
                Some(t) => {
                    return Err(syntax_error(
                        format!("Expecting 'EMPTY' or 'NULL' after 'IS' but got '{}'.", t.text()),
                        t.pos,
                    ));
                }
                None => {
                    return Err(syntax_error(
                        "Expecting 'EMPTY' or 'NULL' after 'IS' but the query ended.",
                        self.end,
                    ));
                }
            },
            Op::In | Op::NotIn => {
                self.expect(Tok::LParen, "(")?;
                let mut values = Vec::new();
                loop {
                    match self.value()? {
                        Operand::Value(value) => values.push(value),
                        _ => {
                            return Err(syntax_error(
                                "EMPTY is not supported inside a list by the Jira sandbox.",
                                self.peek().map_or(self.end, |t| t.pos),
                            ));
                        }
                    }
                    match self.next() {
                        Some(Token { tok: Tok::Comma, .. }) => {}
                        Some(Token { tok: Tok::RParen, .. }) => break,
                        Some(t) => {
                            return Err(syntax_error(
                                format!("Expecting ',' or ')' but got '{}'.", t.text()),
                                t.pos,
                            ));
                        }
                        None => {
                            return Err(syntax_error("Expecting ',' or ')' but the query ended.", self.end));
                        }
                    }
                }
                Operand::List(values)
            }
            _ => self.value()?,
        };
        if let (Some(next), Some(after)) = (self.peek(), self.peek_at(1))
            && next.tok == Tok::LParen
            && after.tok == Tok::RParen
        {
            return Err(syntax_error(
                "JQL functions are not supported by the Jira sandbox.",
                next.pos,
            ));
        }
        Ok(RawClause {
            field,
            field_text,
            op,
            operand,
        })
    }
}

/// Tokenizes and parses `jql`; the error is Jira's "Error in the JQL Query: ..." message.
pub(super) fn parse(jql: &str) -> Result<Ast, String> {
    let tokens = tokenize(jql)?;
    Parser {
        tokens,
        index: 0,
        end: jql.chars().count() + 1,
    }
    .parse()
}
