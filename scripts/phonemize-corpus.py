#!/usr/bin/env python3
"""Writes the phonemiser's parity corpus (chunk texts, one JSON object per line, with a "kind")
to stdout. Deterministic (seeded). Kinds:
  parity     the reference's output must be reproduced exactly (when it has one item)
  nul        contains NUL bytes: the reference stops at them; we read them as spaces
  long_word  words espeak truncates: the reference loses text; we must not

  python3 scripts/phonemize-corpus.py > /tmp/corpus.jsonl
  $PY scripts/phonemize-golden.py < /tmp/corpus.jsonl > crates/kittentts-phonemize/tests/data/parity.jsonl
"""
import json
import random
import sys

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 4
rng = random.Random(SEED)

BASE = """The quick brown fox jumps over the lazy dog.
She sells sea shells by the sea shore.
I read the book yesterday, and I will read it again tomorrow.
The lead singer held a lead pipe.
The wind was too strong to wind the sail.
A tear rolled down her cheek as she saw the tear in her dress.
They live near the live music venue.
The bass swam past the bass player.
Please close the door; we are close to the station.
I object to that object on the table.
He will present the present at the party.
Let me record the record for the record.
The bandage was wound around the wound.
Wait a minute, this is a minute detail.
Does he know that the does are in the field?
The dove dove into the bushes.
We must polish the Polish furniture.
He could not subject the subject to the test.
The soldier decided to desert his dessert in the desert.
Since there is no time like the present, he thought it was time to present the present.
A farm can produce produce.
The insurance was invalid for the invalid.
Siobhan and Nguyen met Zhang Wei at the airport.
Dvořák, Janáček and Smetana were Czech composers.
Björk sang in Reykjavík last winter.
François Mitterrand visited Zürich and São Paulo.
Aoife, Niamh and Saoirse are Irish names.
Tchaikovsky wrote Swan Lake; Rachmaninoff wrote concertos.
Mr. Smith met Dr. Jones at St. Mary's hospital.
Ms. Okonkwo flew from Lagos to Nairobi.
Good morning! How are you today?
Well... I don't know what to say.
Wait — what did you just say?
"Hello," she said, "how are you?"
He asked, 'Is it raining?'
(This is a parenthetical remark.)
[Citation needed] {curly braces} are rare in speech.
Yes; no; maybe: who knows?
«Bonjour», dit-il.
“Smart quotes” are ‘different’ from straight ones.
¿Dónde está la biblioteca? ¡Aquí está!
It's a well-known fact that e-mail isn't dead.
The state-of-the-art system runs twenty-four hours a day.
It is 3.5 meters long.
The population was 1,000,000 in 2020.
Call me at 555-1234 or 555.6789.
The price rose from 3.14 to 2.71, then fell.
Version 2.0.1 was released on 5.6.2023.
Chapter 12, verse 3: the end.
About 99.9% of users agree.
Room 101 is on floor 3.
I have 2 cats, 3 dogs and 4.5 goldfish.
The temperature is -5 degrees.
Pneumonoultramicroscopicsilicovolcanoconiosis is a long word.
Antidisestablishmentarianism is another one.
Supercalifragilisticexpialidocious!
Floccinaucinihilipilification, they said.
Hippopotomonstrosesquippedaliophobia is ironic.
The café serves crème brûlée and piña colada.
Naïve coöperation in the façade of the résumé.
Ångström and Ørsted were scientists.
The emoji 😀 means happy, and 🐱 means cat.
I ❤ New York.
Peace ☮ and love ♥.
The symbol © means copyright, ™ trademark.
Math: 2 + 2 = 4, 3 × 3 = 9.
Temperatures of 20°C are pleasant.
He paid €50, £40 and ¥300.
The arrow → points right.
Москва is the capital of Russia.
北京 is the capital of China.
東京 is in Japan.
القاهرة is in Egypt.
Αθήνα is in Greece.
עברית is a language.
हिन्दी is spoken in India.
Thai: ภาษาไทย.
Korean: 한국어.
The letter n̩ has a syllabic mark.
Combining tilde: ã and a\u0303 look alike.
Zalgo: ẑ̷̗a̵l̶g̸o̴.
Under_score and double__underscore.
Tabs\tand\tspaces.
A\u00a0non-breaking space.
Thin\u2009space and em\u2003space.
Ideographic\u3000space.
Line\u2028separator.
Information\u001fseparator.
Record\u001eseparator, group\u001dseparator.
Zero\u200bwidth space.
Soft\u00adhyphen.
Right-to-left \u202emark.
All the world's a stage, and all the men and women merely players.
To be, or not to be, that is the question.
Four score and seven years ago our fathers brought forth on this continent a new nation.
Ask not what your country can do for you — ask what you can do for your country.
In the beginning was the Word.
It was the best of times, it was the worst of times.
Call me Ishmael.
Happy families are all alike; every unhappy family is unhappy in its own way.
The door, the floor, the four more stores.
Oranges and horses are in the forest.
A journey of a thousand miles begins with a single step.
Knowledge is power.
The rain in Spain stays mainly in the plain.
Colorless green ideas sleep furiously.
Buffalo buffalo Buffalo buffalo buffalo buffalo Buffalo buffalo.
James while John had had had had had had had had had had had a better effect on the teacher.
OK, ASAP, FYI, NASA, NATO, UNESCO and the BBC.
USA, UK, EU; the U.S.A. and the U.K.
iPhone, eBay, YouTube, McDonald's, O'Reilly.
Rock 'n' roll, fish 'n' chips.
The '90s were great; so were the 1980s.
x, y, z; a, b, c.
A. B. C. D.
One... two... three...
What?! No way!!!
Hmm?? Really???
Okay... — well — fine.
"Quoted." "Another." "Third!"
He said: "Stop!" and left.
(a) first; (b) second; (c) third.
Items: [1], [2], and [3].
The end.""".split("\n")

BASE = [b.encode().decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\u" in b or "\\t" in b else b
        for b in BASE]

MARKS = list(";:,.!?¡¿—…\"«»“”(){}[]")
OTHER_PUNCT = list("-–'‘’*&/@#%+=<>|~^`$§¶†‡•·")
SPACES = [" ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u3000", "\u001c", "\u001f", "\u0085", "\u2028", "\u200b", ""]
WORDS = ("time year people way day man thing woman life child world school state family student group "
         "country problem hand part place case week company system program question work government number "
         "night point home water room mother area money story fact month lot right study book eye job word "
         "business issue side kind head house service friend father power hour game line end member law car "
         "city community name president team minute idea kid body information back parent face others level "
         "office door health person art war history party result change morning reason research girl guy moment "
         "air teacher force education read lead wind tear live bass close object present record wound").split()
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêëàâäôöûüçñøåæœßðþłżźćńśąęıİğşčřžšůýáíóúΑβγδεζηθλμπσφψωабвгдежзийклмнопрстуфхцчшщыьэюя"
EXOTIC = ["😀", "🐱", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "中", "文", "日本", "한", "ا", "ש", "अ", "ก", "\u0301", "\u0329", "\u0303", "\u20dd",
          "ﬁ", "Ⅻ", "½", "²", "①", "𝔘", "𝟙", "ᵻ", "ə", "ʃ", "ŋ", "\ufeff", "\u200d", "\ue000", "\U0001f600"]


def word():
    r = rng.random()
    if r < 0.7:
        w = rng.choice(WORDS)
    elif r < 0.85:
        w = "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 9)))
    elif r < 0.95:
        w = str(rng.choice([rng.randint(0, 9), rng.randint(10, 999), rng.randint(1000, 10**7)]))
    else:
        w = rng.choice(EXOTIC)
    if rng.random() < 0.1:
        w = w.capitalize()
    return w


def sep():
    r = rng.random()
    if r < 0.6:
        return " "
    if r < 0.85:
        return rng.choice(SPACES[:2]) + rng.choice(MARKS) * rng.choice([1, 1, 1, 2, 3]) + rng.choice([" ", "", "  "])
    if r < 0.93:
        return rng.choice(SPACES)
    return rng.choice([" ", ""]) + rng.choice(OTHER_PUNCT) + rng.choice([" ", ""])


def random_sentence():
    n = rng.randint(1, 18)
    s = rng.choice(["", "", "", rng.choice(MARKS), rng.choice(SPACES)])
    for i in range(n):
        s += word()
        if i < n - 1:
            s += sep()
    s += rng.choice([".", ".", "!", "?", "", "...", "…", ",", "—", "\"", ".)", "?!", " .", ". "])
    return s


def digits_text():
    a, b = rng.randint(0, 999), rng.randint(0, 999)
    forms = [f"{a}.{b}", f"{a},{b}", f"{a}. {b}", f"{a} .{b}", f"{a}.{b}.", f".{b}", f"{a}.", f"{a},{b},{rng.randint(0, 9)}",
             f"{a}.{b} and {b}.{a}", f"{a}-{b}", f"{a}/{b}", f"{a}:{b}", f"v{a}.{b}.{rng.randint(0, 9)}"]
    f = rng.choice(forms)
    return rng.choice(["It is {} meters.", "{}", "The value {} rose.", "Take {}, then stop", "({})", "Was it {}?", "\"{}\""]).format(f)


def mutate(s):
    chars = list(s)
    for _ in range(rng.randint(1, 3)):
        pos = rng.randint(0, len(chars))
        chars.insert(pos, rng.choice(MARKS + OTHER_PUNCT + SPACES[:6] + EXOTIC[:6]))
    return "".join(chars)


def only_marks():
    return "".join(rng.choice(MARKS + [" ", "  ", "\t"]) for _ in range(rng.randint(1, 6)))


out = []
def emit(text, kind="parity"):
    out.append({"text": text, "kind": kind})

for b in BASE:
    emit(b)
    emit(mutate(b))
    emit(b.lower().rstrip(".") )
for _ in range(520):
    emit(random_sentence())
for _ in range(140):
    emit(digits_text())
for _ in range(40):
    emit(only_marks())
for _ in range(40):
    # whitespace around marks in every position
    w1, w2 = rng.choice(WORDS), rng.choice(WORDS)
    m = rng.choice(MARKS)
    emit(rng.choice(SPACES[:5]) + m + rng.choice(SPACES[:5]) + w1 + rng.choice(SPACES[:5]) + m +
         rng.choice(SPACES[:5]) + w2 + rng.choice(SPACES[:5]) + m + rng.choice(SPACES[:5]))
# longer chunks, like the text layer's (up to ~400 characters)
for _ in range(30):
    s = " ".join(rng.choice(BASE) for _ in range(rng.randint(3, 6)))
    emit(s[:400])
# long but not truncated words
for w in ["internationalization", "counterrevolutionaries", "incomprehensibilities",
          "pseudopseudohypoparathyroidism", "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
          "methionylthreonylthreonylglutaminylarginyl", "1234567890123456789012345678901234567890"]:
    emit(f"The word {w} is long.")
# NUL bytes: the reference stops at them; the corpus also holds the text with spaces instead
for s in ["Hello\0world.", "\0Start with NUL", "End with NUL\0", "A\0B\0C, d\0e!", "Split, here\0and there."]:
    emit(s, "nul")
    emit(s.replace("\0", " "))
# words espeak truncates
for base, n in [("a", 300), ("w", 40), ("ab", 200), ("é", 150), ("ω", 60), ("ŋ", 100), ("xyz", 200),
                ("supercalifragilistic", 200), ("1", 60), ("1234567890", 100)]:
    emit(("The word " + (base * n)[:n] + " ends here."), "long_word")
    emit((base * n)[:n], "long_word")

seen = set()
for row in out:
    if row["text"] in seen:
        continue
    seen.add(row["text"])
    print(json.dumps(row, ensure_ascii=False))
