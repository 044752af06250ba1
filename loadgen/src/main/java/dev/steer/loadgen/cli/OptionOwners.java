package dev.steer.loadgen.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import picocli.CommandLine.ParseResult;

/**
 * Which choice of a command each of its options belongs to, and the refusal of an option given for another choice than
 * the one made: {@code --pcap} belongs to the pcap feed of {@code steer run}, {@code --target} to {@code --to udp} of
 * {@code steer loadgen}. Left alone, such an option was ignored and the command did something else than the user asked
 * (steered the default feed's traffic instead of replaying the capture, sent where it was not meant to). An option
 * counts as given when it is on the command line ({@link ParseResult#hasMatchedOption}), whatever its default; a
 * config file's keys are not options.
 *
 * <p>Command-line checks only: the main thread, before anything starts; allocates.
 */
final class OptionOwners {
    /** Option name to the choice it belongs to, in the order options are checked. */
    private final Map<String, String> owners = new LinkedHashMap<>();

    /** Records that {@code options} belong to {@code owner}; returns this. */
    OptionOwners own(String owner, String... options) {
        for (String option : options) {
            owners.put(option, owner);
        }
        return this;
    }

    /**
     * Refuses the first option (in the order {@link #own} recorded them) that was given and belongs to another choice
     * than {@code chosen}.
     *
     * @param given  what the command line held
     * @param chosen the choice made (the run's feed type, the loadgen's target)
     * @param why    from the option's owner, what follows {@code OPTION VALUE: } in the message: why the option does not
     *               apply and what to do
     * @throws IllegalArgumentException {@code OPTION VALUE: } and what {@code why} says
     */
    void refuseOthers(ParseResult given, String chosen, UnaryOperator<String> why) {
        final List<String> others = new ArrayList<>();
        owners.forEach((option, owner) -> {
            if (!owner.equals(chosen)) {
                others.add(option);
            }
        });
        refuseGiven(given, others, option -> why.apply(owners.get(option)));
    }

    /**
     * Refuses the first of {@code options} that was given.
     *
     * @param given   what the command line held
     * @param options the options that do not apply, in the order to check them
     * @param why     from the option's name, what follows {@code OPTION VALUE: } in the message
     * @throws IllegalArgumentException {@code OPTION VALUE: } and what {@code why} says
     */
    static void refuseGiven(ParseResult given, List<String> options, UnaryOperator<String> why) {
        for (String option : options) {
            if (given.hasMatchedOption(option)) {
                throw new IllegalArgumentException(option + " " + given.matchedOptionValue(option, (Object) null) + ": "
                    + why.apply(option));
            }
        }
    }
}
