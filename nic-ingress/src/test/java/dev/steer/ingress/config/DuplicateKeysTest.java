package dev.steer.ingress.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DuplicateKeysTest {
    private static List<DuplicateKeys.Duplicate> find(String text) {
        return DuplicateKeys.find(text);
    }

    @Test
    void shouldFindAKeyGivenTwiceWhenWrittenAsPathAndAsBlock() {
        assertEquals(List.of(new DuplicateKeys.Duplicate("a.b.c", 2, "2", 1, "1")), find("a { b { c = 1 } }\na.b.c = 2\n"));
        assertEquals(List.of(new DuplicateKeys.Duplicate("x", 1, "\"two\"", 1, "1")), find("x = 1, x = \"two\""));
        assertEquals(List.of(new DuplicateKeys.Duplicate("{ a = 1 }.b", 1, "2", 1, "1")).size(),
            find("{ a = 1, b = 1, b = 2 }").size(), "a braced root");
    }

    @Test
    void shouldFindAKeyGivenTwiceWhenInsideAListElement() {
        assertEquals(List.of(new DuplicateKeys.Duplicate("e[1].q", 3, "9", 2, "8")),
            find("e = [ { q = 1 }\n { q = 8\n q = 9 } ]\n"));
    }

    @Test
    void shouldReportAListGivenTwiceOnceWhenItsElementsRepeatTheFirstListsKeys() {
        // HOCON keeps the second list whole: its elements replace the first list's, they do not set its keys again.
        assertEquals(List.of(new DuplicateKeys.Duplicate("e", 3, "[ { q = 3 }, { q = 4 } ]", 1, "[ { q = 1 }, { q = 2 } ]")),
            find("e = [ { q = 1 },\n { q = 2 } ]\ne = [ { q = 3 }, { q = 4 } ]\n"));
        assertEquals(List.of(new DuplicateKeys.Duplicate("a.e", 2, "[ [ { q = 2 } ] ]", 1, "[ [ { q = 1 } ] ]")),
            find("a { e = [ [ { q = 1 } ] ] }\na.e = [ [ { q = 2 } ] ]\n"), "lists in lists");
    }

    @Test
    void shouldFindAKeyGivenTwiceInsideAnElementWhenItsListIsItselfGivenTwice() {
        assertEquals(List.of(new DuplicateKeys.Duplicate("e", 2, "[ { q = 8, q = 9 } ]", 1, "[ { q = 1 } ]"),
                new DuplicateKeys.Duplicate("e[0].q", 2, "9", 2, "8")),
            find("e = [ { q = 1 } ]\ne = [ { q = 8, q = 9 } ]\n"));
    }

    @Test
    void shouldFindABlockAndAValueGivenForOneKeyWhenBothAreWritten() {
        assertEquals(List.of(new DuplicateKeys.Duplicate("a", 2, "{ ... }", 1, "1")), find("a = 1\na { b = 2 }\n"));
    }

    @Test
    void shouldFindNothingWhenBlocksMergeOrValuesAppendOrOverrideFromTheEnvironment() {
        assertEquals(List.of(), find("a { b = 1 }\na { c = 2 }\na.d = 3\n"));
        assertEquals(List.of(), find("l = [1]\nl += 2\n"));
        assertEquals(List.of(), find("p = secret\np = ${?PASSWORD}\nq = ${p} x\n"));
        assertEquals(List.of(), find("# x = 1\n// x = 2\nx = 3 # x = 4\n"));
        assertEquals(List.of(), find("\"a.b\" = 1\na.b = 2\n"), "a quoted key with a dot is one key");
        assertEquals(List.of(), find("t = \"\"\"x = 1\nx = 2\"\"\"\nx = 3\n"), "keys inside a triple-quoted string");
        assertEquals(List.of(), find("include \"other.conf\"\ninclude required(\"more.conf\")\nx = 1\n"));
        assertEquals(List.of(), find("u = \"http://x\" // comment x = 1\nx = 2\n"));
        assertEquals(List.of(), find("e = [ { q = 1 }, { q = 2 } ]\n"), "elements are keys of their own");
    }

    @Test
    void shouldEndWithoutThrowingWhenTextIsGarbage() {
        final SplittableRandom random = new SplittableRandom(7);
        final String alphabet = "ab.=:{}[],+\"$?#/ \n\t\\x";
        for (int round = 0; round < 20_000; round++) {
            final StringBuilder text = new StringBuilder();
            final int length = random.nextInt(60);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            find(text.toString());
        }
        find("a".repeat(10) + " = " + "{ b = ".repeat(10_000) + "1" + " }".repeat(10_000));
    }

    @Test
    void shouldGiveEveryWriteAndIncludeInTheOrderWrittenWhenAskedForSteps() {
        assertEquals(List.of(new DuplicateKeys.Write("a", 1, "{ ... }", true),
                new DuplicateKeys.Write("a.b", 1, "64", false),
                new DuplicateKeys.Include("a", 2, "include \"b.conf\""),
                new DuplicateKeys.Write("a.b", 4, "${?B}", false),
                new DuplicateKeys.Write("l", 5, "[ { q = 1 } ]", false),
                new DuplicateKeys.Write("l", 6, "[2]", false)),
            DuplicateKeys.steps("a { b = 64\n include \"b.conf\"\n}\na.b = ${?B} # last\nl = [ { q = 1 } ]\n"
                + "l += 2\n"));
    }

    @Test
    void shouldCloseTheBlockWhenAnIncludeEndsItOnTheSameLine() {
        assertEquals(List.of(new DuplicateKeys.Duplicate("b", 3, "2", 2, "1")),
            find("a { include \"x.conf\" }\nb = 1\nb = 2\n"));
        assertEquals(List.of(new DuplicateKeys.Write("a", 1, "{ ... }", true),
                new DuplicateKeys.Include("a", 1, "include required(file(\"x.conf\"))"),
                new DuplicateKeys.Write("b", 1, "1", false)),
            DuplicateKeys.steps("a { include required(file(\"x.conf\")) }, b = 1"));
    }
}
