"""The deterministic red-flag layer: plain red flags warned at the right level, possible ones sent to
a safety check, denials and questions left alone."""

from pathlib import Path

import pytest
import yaml

from coach.red_flags import most_urgent
from coach.safety import SafetyReplies

EVAL = Path(__file__).resolve().parent.parent / "eval"


@pytest.mark.parametrize(
    "text, flag, urgency",
    [
        ("I heard a pop and can't stand on tiptoe", "achilles_rupture", "emergency"),
        ("felt like someone kicked me in the back of the leg", "achilles_rupture", "emergency"),
        ("there's a dent above my heel", "achilles_rupture", "emergency"),
        ("I cant put any weight on my foot since I rolled it", "cannot_bear_weight", "urgent"),
        ("my ankle looks deformed", "deformity", "emergency"),
        ("the bone is sticking out", "open_wound", "emergency"),
        ("my foot is numb and cold", "pale_cold_foot", "emergency"),
        ("calf is swollen hot and red since the cast came off", "dvt", "urgent"),
        ("fever and my ankle is red and hot", "infection", "urgent"),
        ("one spot on my shin bone is really tender", "bone_stress", "soon"),
        ("pain at night that's getting worse every run", "bone_stress", "soon"),
        ("got hit by a car on my run", "high_force", "urgent"),
        ("my foot is bent sideways after the fall", "deformity", "emergency"),
        ("foot looks bent, my knee is fine", "deformity", "emergency"),
        ("I think I have a high ankle sprain", "high_ankle_injury", "urgent"),
        ("my left foot has started slapping down and I can't lift my toes", "foot_drop", "urgent"),
        ("my shin hurts even at rest now", "bone_stress", "soon"),
        ("rolled it and now the foot is twisted inward", "looks_wrong_after_injury", "emergency"),
        ("my ankle collapsed under me when I tried to stand", "cannot_bear_weight", "urgent"),
        ("my shin aches lying in bed", "bone_stress", "soon"),
        # beyond the lower leg, but what a runner may describe mid-run: each is a call to emergency services
        ("my foot went weak and my wife says one side of my face is droopy", "stroke_signs", "emergency"),
        (
            "got stung on the trail and now my lips are swelling and i feel faint",
            "severe_allergic_reaction",
            "emergency",
        ),
        (
            "something bit me on the ankle, the leg is swelling fast and I feel dizzy",
            "severe_allergic_reaction",
            "emergency",
        ),
        (
            "legs massively swollen after the ultra and my pee is dark brown like cola",
            "dark_urine_muscle_breakdown",
            "emergency",
        ),
        ("calf swollen for a week and today I cough and there is some blood", "chest_pain", "emergency"),
        ("calf is swollen and red and breathing is hard", "clot_with_breathlessness", "emergency"),
        ("blister got infected, now I feel confused and my heart is racing", "sepsis", "emergency"),
        ("suddenly my leg went cold, pale and very painful", "pale_cold_foot", "emergency"),
        (
            "sprained it yesterday, pressing on the back edge of the bony knob on the outside is extremely sore",
            "ottawa_tenderness",
            "urgent",
        ),
        ("my son is 10 and says his heel hurts when I squeeze it", "child_heel_pain", "soon"),
        ("my right arm and leg went weak mid run and my words came out jumbled", "stroke_signs", "emergency"),
        ("I blacked out mid run, my heart was pounding just before", "collapse_during_exercise", "emergency"),
        (
            "my buddy collapsed at the finish in this heat, he's not making sense and stopped sweating",
            "heat_illness",
            "emergency",
        ),
        ("after the winter trail run my toes are white, waxy and numb", "frostbite", "emergency"),
        ("cut my foot on glass, blood is spurting out and it hasn't stopped", "open_wound", "emergency"),
        (
            "cast on since this morning, pain much worse than when I broke it and the cast feels too tight",
            "compartment",
            "emergency",
        ),
        ("sprain 2 months ago, now a deep ache inside the joint and it locks", "locking_after_sprain", "soon"),
        (
            "type 1 diabetic friend after our 15k, shaky and now too drowsy to drink",
            "severe_low_blood_sugar",
            "emergency",
        ),
        (
            "drank loads of water after the marathon, now I keep throwing up and feel confused",
            "too_much_water",
            "emergency",
        ),
        ("she fell in the river, stopped shivering and now she's slurring and sleepy", "hypothermia", "emergency"),
        ("smacked my head on a rock and I've been sick twice since", "head_injury", "emergency"),
        ("asthma attack on my run, inhaler not helping and I can't finish a sentence", "asthma_attack", "emergency"),
        ("I vomited something like coffee grounds after weeks of ibuprofen", "vomiting_blood", "emergency"),
        ("I took a whole packet of paracetamol for the pain", "medicine_overdose", "emergency"),
        ("a heavy crushing feeling in my chest on the tempo run", "chest_pain", "emergency"),
        ("a nail went right through my shoe into my foot, now it's throbbing", "puncture_wound", "urgent"),
        (
            "found a tick on my calf last week, now there's an expanding red ring like a target",
            "tick_bite_rash",
            "soon",
        ),
        ("a dark patch on my sole has grown and got a ragged edge", "changing_mole", "soon"),
        ("I'm diabetic and found blood in my sock, there's a hole on the ball of my foot", "diabetic_foot", "urgent"),
        (
            "got a sudden headache mid interval, like being hit with a bat, worst of my life",
            "sudden_severe_headache",
            "emergency",
        ),
        ("the runner next to me went down and is shaking and jerking all over", "sudden_severe_headache", "emergency"),
        ("dark spots on his legs that don't fade when I press a glass on them", "sudden_severe_headache", "emergency"),
        (
            "my friend at the finish is saying random stuff, skin burning hot, she's stopped sweating",
            "heat_illness",
            "emergency",
        ),
        (
            "there's a split in the skin on the inside of the ankle and I can see something white",
            "open_wound",
            "emergency",
        ),
        # a history is the red flag itself: "months ago" dates it, it does not end it
        ("my third stress fracture in a year and my periods stopped months ago", "energy_deficiency", "soon"),
        ("she collapsed at the line and she's not responding to us", "collapse_during_exercise", "emergency"),
        ("my pulse has been irregular for two hours since the race", "collapse_during_exercise", "emergency"),
        ("my training partner started fitting on the grass after the sprint", "sudden_severe_headache", "emergency"),
        (
            "ate some peanuts before my run, now hives everywhere and my lips are swelling",
            "severe_allergic_reaction",
            "emergency",
        ),
        ("I take warfarin and bumped my head on a branch, now I've got a headache", "head_injury", "emergency"),
        ("gashed my shin on a rock and it's pumping blood", "open_wound", "emergency"),
        (
            "type 1 here, been vomiting all night and breathing fast, ketones are high",
            "diabetic_ketoacidosis",
            "emergency",
        ),
        ("legs weak and aching since the ultra and my urine is dark", "dark_urine_with_muscle_pain", "emergency"),
        ("I'm diabetic and both feet have gone numb on long runs lately", "diabetic_numb_feet", "soon"),
        ("even walking hurts on the top of my foot now", "bone_stress_walking", "urgent"),
        # gone once the run stopped is how exertional chest pain behaves: still checked the same day
        ("pressure in my chest on the hill reps, it went away when I stopped", "chest_pain_settled", "urgent"),
        # fainting on a run still needs a heart check after they come round
        (
            "my son fainted at the end of his 800m, came round quickly and feels fine now",
            "collapse_during_exercise",
            "emergency",
        ),
        # beyond the leg: what a runner may tell a running coach that needs a clinician first
        (
            "since the injury I don't see the point any more and I've been saving up pills",
            "suicidal_thoughts",
            "emergency",
        ),
        ("I've felt low for weeks since I stopped running, not enjoying anything", "low_mood", "soon"),
        ("sudden agony in my left testicle after the run and I've been sick", "testicle_pain", "emergency"),
        (
            "32 weeks pregnant and the baby has been moving less since my jog this morning",
            "pregnancy_warning_signs",
            "emergency",
        ),
        (
            "my nose has been bleeding for 40 minutes and won't stop, I'm on warfarin",
            "nosebleed_wont_stop",
            "emergency",
        ),
        (
            "pain started by my belly button and has moved to the lower right, I've got a temperature",
            "appendicitis_signs",
            "urgent",
        ),
        ("agony in my side that comes in waves and goes down to my groin", "kidney_stone_signs", "urgent"),
        ("been vomiting since the race and can't keep any water down", "cannot_keep_fluids_down", "urgent"),
        ("breathless after a few steps lately and I have to sleep on three pillows", "heart_failure_signs", "urgent"),
        ("there was blood in my urine again after the long run", "blood_in_urine", "soon"),
        ("I've lost 6 kg without trying and have drenching night sweats", "unexplained_weight_loss", "soon"),
        ("I come out in hives every time I run, they go after an hour", "hives_on_exercise", "soon"),
        ("I have my pills saved up and I'm going to take them all tonight", "suicidal_thoughts", "emergency"),
        ("took 30 paracetamol last night, feel fine now", "medicine_overdose", "emergency"),
        ("suddenly I can't see anything out of my left eye after the run", "sudden_vision_loss", "emergency"),
        ("groin pain for weeks and now it hurts to walk, even rolling over in bed", "bone_stress_walking", "urgent"),
        ("back from a race in Kenya last week and now I have a fever and shivering", "fever_after_travel", "urgent"),
        ("can barely swallow my own spit and my voice is muffled", "cannot_swallow", "urgent"),
        ("my blood pressure reading was 190/125 and I've got a headache", "very_high_blood_pressure", "emergency"),
        ("my daughter has a temperature of 39 and she's floppy", "unwell_child_fever", "emergency"),
        ("the cut on my knee is gaping open and I can see yellow fat", "open_wound", "emergency"),
        ("found a painless lump on one testicle", "testicle_lump", "soon"),
        # not improving, giving way, months of pain, anaemia: a physio or GP within days
        ("twisted my ankle nine weeks ago and it still swells after every walk", "sprain_not_improving", "soon"),
        ("my ankle keeps giving way when I'm just walking to the shops", "ankle_keeps_giving_way", "soon"),
        ("plantar pain for 8 months despite insoles, getting worse", "persistent_pain_despite_care", "soon"),
        ("I look really pale, my friends say, and I'm tired all the time", "anaemia_signs", "soon"),
        # after a fall: a leg shorter, a foot turned out (a broken hip); a tight shiny leg; a feverish child
        ("grandad slipped on ice, his leg looks shorter and he can't stand", "looks_wrong_after_injury", "emergency"),
        ("calf is tight and shiny and the pain keeps building even with it raised", "compartment", "emergency"),
        ("my daughter won't put weight on her foot and has a temperature of 38.5", "child_limp_fever", "urgent"),
        ("after the snowy ultra my toes went white and hard and I can't feel them", "frostbite", "emergency"),
        # said plainly: a plan and a goodbye letter; pillows to breathe; chest pain after flu; pregnancy bleeding
        ("life has no meaning, I wrote a letter to my mum, I plan to jump tonight", "suicidal_thoughts", "emergency"),
        ("I need 4 pillows to breathe at night and both ankles are puffing up", "heart_failure_signs", "urgent"),
        ("since the virus my chest has some pain when I jog", "chest_pain", "emergency"),
        ("16 weeks pregnant, some spotting and crampy pains after my run", "bleeding_in_pregnancy", "emergency"),
        ("the lump on my shin has got bigger this month", "growing_lump", "soon"),
        ("my knee keeps locking and I have to wiggle it free", "knee_locking", "soon"),
        ("achilles sore for 5 months, did the heel drops, no improvement", "persistent_pain_despite_care", "soon"),
        ("my weight dropped 6 kg without changing my diet and I sweat at night", "unexplained_weight_loss", "soon"),
        ("found him on the moor soaked, shivering but now not, mumbling and cold", "hypothermia", "emergency"),
        ("slipped on the towpath and landed on my hand, wrist sore near the thumb", "broken_wrist_signs", "urgent"),
        ("so thirsty lately and peeing all the time, vision a bit blurred", "diabetes_symptoms", "soon"),
        ("there's been blood on the toilet paper and in my poo for a few weeks", "blood_in_poo", "soon"),
        ("feel flat and useless, haven't enjoyed anything for months", "low_mood", "soon"),
        ("the whites of my eyes have gone yellow and my pee is dark", "jaundice", "urgent"),
        ("my heart keeps skipping beats on easy runs, more often lately", "palpitations_returning", "soon"),
        ("ankle keeps giving way on trails, 6 times this spring", "ankle_keeps_giving_way", "soon"),
        # a rule-out that is itself denied rules nothing out
        ("no period for 6 months since I upped my mileage, and I'm not pregnant", "energy_deficiency", "soon"),
        # "about" that asks nothing ("wandering about", "about 6 weeks"); "without trying" denies nothing
        (
            "at the finish my dad was wandering about and talking nonsense, skin burning hot",
            "heat_illness",
            "emergency",
        ),
        ("rolled it about 7 weeks ago and it's still swollen", "sprain_not_improving", "soon"),
        (
            "dropped 7 kilos over the summer without trying, any tips for my long run?",
            "unexplained_weight_loss",
            "soon",
        ),
        # a denial early in a long match denies only what it is next to
        ("hip and knee are hot and swollen, I can't straighten the leg and I have a fever", "infection", "urgent"),
        (
            "an hour ago my right leg went weak and heavy, and now my right hand is clumsy too",
            "stroke_signs",
            "emergency",
        ),
        # fever and vomiting with an infected foot; a snake bite told the other way round; a hypo
        ("blister on my heel went red and angry, temperature 39 and I keep vomiting", "sepsis", "emergency"),
        ("bitten by an adder on the heath on my long run, ankle swelling", "severe_allergic_reaction", "emergency"),
        (
            "she's type 1, after the race she's not making any sense and won't eat anything",
            "severe_low_blood_sugar",
            "emergency",
        ),
        # a condition named for the pain; the child's age as a number; pain on walking a set distance
        ("achilles tendinopathy for 8 months, physio exercises, zero progress", "persistent_pain_despite_care", "soon"),
        ("my 8 year old is limping and has a temperature since last night", "child_limp_fever", "urgent"),
        ("my calf cramps after walking a few hundred metres and eases when I stop", "calf_pain_on_walking", "soon"),
        (
            "every run about 20 min in my shins go tight and numb, gone 15 minutes after stopping",
            "exertional_compartment",
            "soon",
        ),
        # a risk factor months ago, then "now": a report; a first guess that was wrong rules nothing out
        ("went on HRT 3 months ago, now my left calf is swollen and tender", "dvt", "urgent"),
        ("I thought it was just a bruise but the dark patch on my sole has grown and bleeds", "changing_mole", "soon"),
        # making yourself sick for race weight; chest pain told by where it spreads; bleeding through a towel
        ("been making myself sick after dinner to stay light for racing", "disordered_eating", "soon"),
        ("after the hill reps a heavy pain went into my jaw and left arm, still there", "chest_pain", "emergency"),
        ("caught my shin on a rusty gate, blood soaked through two towels already", "open_wound", "emergency"),
        ("back pain since lifting and now I'm numb between my legs", "cauda_equina", "emergency"),
        # a worry about a thing, then what was done; a provocation test reported with "if"
        (
            "so worried about dehydration I drank at every aid station, now throwing up and confused",
            "too_much_water",
            "emergency",
        ),
        ("if I hop on that leg it's really sharp on the shin bone", "bone_stress", "soon"),
        # from blind set U: low energy told by a man; paracetamol too often; a big burn; a changing mole or nail streak
        ("dropped 6 kg to get faster, always exhausted and zero libido now", "energy_deficiency_signs", "soon"),
        ("been taking 2 paracetamol every 2 hours for my ankle since Friday", "medicine_overdose", "emergency"),
        ("spilt boiling water on my foot, blisters bigger than my palm", "large_burn", "urgent"),
        ("the mole on my heel I've had for years has got darker and the edge looks blurry", "changing_mole", "soon"),
        ("a brown stripe down my big toenail has been getting wider since spring", "changing_mole", "soon"),
        ("my 9 year old is so thirsty lately and wetting the bed again", "child_diabetes_signs", "urgent"),
        # a feverish child who won't stand on a leg: A&E now
        (
            "my 5 year old is refusing to stand on his left leg and has a temperature of 39",
            "child_wont_bear_weight_fever",
            "emergency",
        ),
        # pain far beyond what a small wound explains, with a fever or darkening skin
        (
            "scratched my calf on barbed wire yesterday, it hurts far more than a scratch should and I'm feverish",
            "flesh_eating_infection",
            "emergency",
        ),
        ("knocked my head on the gym floor, I was out for a minute and feel sleepy", "head_injury", "emergency"),
        ("my training partner is really difficult to rouse after the race", "collapse_during_exercise", "emergency"),
        ("a delivery van backed over my foot in the car park", "high_force", "emergency"),
        ("cut my sole on a shell, blood is coming through my trainer", "open_wound", "emergency"),
        ("he swallowed lots of tramadol for his shin and I'm scared", "medicine_overdose", "emergency"),
        ("since this morning I can't hear properly in my right ear, it just went", "sudden_hearing_loss", "urgent"),
        ("a stray cat bit my ankle while I stretched in the park, two little holes", "animal_bite", "urgent"),
        (
            "my 3 year old swallowed some of my ibuprofen tablets, half the packet is gone",
            "child_swallowed_medicine",
            "emergency",
        ),
        ("pins and needles in my forefoot for several weeks now, even on rest days", "persistent_numbness", "soon"),
        ("I've made up my mind, I'm going to end it tonight", "suicidal_thoughts", "emergency"),
        ("my friend sent a message saying goodbye to everyone and won't pick up", "suicidal_thoughts", "emergency"),
        (
            "sickle cell here, agony in both shins after the cold race and my tablets aren't helping",
            "sickle_cell_crisis",
            "emergency",
        ),
        (
            "cutting back food to hit race weight, always freezing and my hair is thinning",
            "energy_deficiency_signs",
            "soon",
        ),
        # "with no warning" means suddenly; it denies nothing that follows
        (
            "she went down at the 10k mark with no warning, came to a few seconds later",
            "collapse_during_exercise",
            "emergency",
        ),
        ("I'm type 1 and there's a weeping sore on my big toe after the trail race", "diabetic_foot", "urgent"),
        ("since the fall the area between my thighs feels numb and my back is killing me", "cauda_equina", "emergency"),
        (
            "I walk the dog and after only 300 metres my calf aches so I must stop and wait",
            "calf_pain_on_walking",
            "soon",
        ),
        ("my friend keeps skipping lunch and her jeans are baggy on her now", "disordered_eating", "soon"),
        ("ankle plated on Tuesday, tonight the pain is off the chart", "compartment", "emergency"),
        ("grandad slipped on the step, his leg has turned outwards and looks shorter", "deformity", "emergency"),
        ("my 9yo keeps saying her heels ache after netball", "child_heel_pain", "soon"),
        # "he's" reads as "he has" as well as "he is"
        ("scorching 10k and afterwards she's confused and keeps falling over", "heat_illness", "emergency"),
        ("for a month now two of my toes have been numb, running or not", "persistent_numbness", "soon"),
        ("a runner in our group was struck by lightning on the fell, he is talking", "lightning_strike", "emergency"),
        (
            "soaked by the rain on the hill, I was shivering hard but that stopped and now I'm sleepy",
            "hypothermia",
            "emergency",
        ),
        ("sore spot on my shin for 3 weeks, it's worse if I push on the bone", "bone_stress", "soon"),
        # found by blind set AC, measured on the final commit
        ("she drank so much water at the aid stations, now she is vomiting and muddled", "too_much_water", "emergency"),
        ("within a hundred metres of walking my calf burns and I have to stop", "calf_pain_on_walking", "soon"),
        ("the lump on my shin is egg sized now and seems larger", "growing_lump", "soon"),
        ("hip stress fracture? my groin hurts even walking now", "bone_stress_walking", "urgent"),
        ("bruises on my thighs for no reason and my gums keep bleeding", "unexplained_bruising", "urgent"),
    ],
)
def test_red_flags_are_caught(detector, text, flag, urgency):
    hits = detector.detect(text)
    assert flag in {hit.flag_id for hit in hits}
    assert most_urgent(hits) in ("emergency", urgency)


@pytest.mark.parametrize(
    "text",
    [
        "no swelling and I can walk fine",
        "no numbness at all",
        "I didn't hear a pop and I can stand on tiptoe",
        "the skin isn't broken",
        "it doesn't hurt at night",
        "what are the signs of an achilles rupture?",
        "can you get a DVT from running?",
        "my toes went numb because my laces were too tight, loosened them and it went away",
        "legs feel dead after the marathon",
        "both calves are a bit sore since the cast came off",
        "outer ankle aches a bit on cambered roads",
        "my achilles is stiff in the morning but eases once I warm up",
        # an exercise's knee position is not a bent ankle; comparing conditions is not having one
        "wall calf stretch straight or bent knee",
        "soleus stretch with the knee bent?",
        "high ankle sprain vs normal sprain?",
        "difference between a high ankle sprain and a normal one?",
        "how to run more relaxed, shoulders tense and feet slapping",
        # running form and the choice to rest are not a deformity, a collapse or pain at rest
        "my feet point outwards when i run, need to fix it?",
        "a video shows my ankle collapse inward when i run, should i change my form?",
        "should i run today with sore shin or rest",
        # the first steps out of bed are the heel's morning pain; night splints are its treatment
        "heel pain when i get out of bed, worst first thing",
        "heel pain, do night splints help?",
        "I like night runs after work, does late training hurt recovery or sleep?",
        "is it worth rolling my foot on a tennis ball?",
        # "bit" reads as "bite": a bit dizzy is no bite; a swimming stroke is no stroke
        "a bit dizzy after the long run and my ankle is a bit sore",
        "mosquito bites on my ankle are itchy after the trail run",
        "how do I improve my swim stroke for the triathlon",
        "my pee is dark yellow after long runs, am I dehydrated?",
        "I had a stress fracture 3 years ago, fully healed, which shoes now?",
        "my heel hurts since I started running with my son",
        "my ankles collapse inward when I run",
        "I drink lots of water on long runs, is that ok? sometimes I get a headache after",
        "how do I check for ticks after trail runs? any rash to look for?",
        "my black toenail is growing out",
        "do these shoes fit well for wide feet?",
        "how to keep fit while injured",
        "I get a headache after hot runs, why?",
        "I feel sleepy and a bit clumsy after cold early runs",
        "hit my head on a branch, no headache, feel fine",
        "my diabetic dad gets a bit confused about his running shoes",
        "my chest strap heart rate monitor feels tight",
        "how many paracetamol can I take for a sprain?",
        "My hamstrings are tight as a drum after every long run, any good stretches?",
        "Best warm up for winter mornings? My legs feel like blocks of ice for the first km",
        "I nearly passed out laughing at the club quiz",
        "I stopped sweating so much once I got fitter, is that normal in hot weather?",
        "my feet were frozen on the winter run but fine after a hot shower",
        "the GP said my 11 year old son has Sever's disease, his heels hurt, what is it?",
        # the lemmatizer reads "as" as "a" and "number" as "numb": kept apart
        "tendon is worse the day after a run, does that mean i should rest?",
        "where do i pick up my race number",
        # a year dates it; "what's" asks; a treatment that works slowly is not a person who doesn't respond
        "I had heatstroke at a race in 2018 and have been fine ever since, how do I prepare for a hot 10k?",
        "what's the difference between heat exhaustion and heatstroke?",
        "my achilles isn't responding to the heel drops, should I change exercise?",
        "my pee is dark yellow and my legs ache after the long run, am I dehydrated?",
        "gasping for air at the top of the hill reps",
        "the pain doesn't wake me up and it's fine at rest",
        # figures of speech and ordinary running life, beside the new flags beyond the leg
        "I'm killing myself on these hill repeats lol",
        "I don't see the point of stretching anymore",
        "I get sick every time I take a gel, which brand is easiest on the stomach?",
        "my legs feel flat this week, should I take an extra easy day?",
        "mosquito bites on my ankle itch like mad",
        "soaked in sweat after the long run, best kit for humid days?",
        "cramps in my calf come in waves at night after long runs, stretches?",
        "my pee is pink after eating beetroot",
        "I drank loads of water cos it was hot, is that ok?",
        "a sore red line across my foot from tying the laces too tight, it fades after an hour",
        "I nearly died on that hill and collapsed onto the sofa when I got home",
        "years back I fainted at a race, my heart was checked and was fine, can I do a marathon?",
        "took 10 salt tablets during the ultra, is that too many?",
        "will my shins explode if I run every day?",
        "cramp in my calf wakes me at night after long runs, then it goes",
        "I came back from cross country with a fever, should I skip the next race?",
        "there's a gaping hole in the toe of my shoe",
        "I'm going to take them back to the shop, the shoes pinch",
        "we just got back from holiday in Spain, how do I get my mileage back up?",
        # folding kit, cracked shoes, asking how to tell, the normal pace of healing, ordinary tiredness
        "how do I fold up and collapse the tent after the trail race camp?",
        "I collapsed the pram in a hurry and trapped my finger, nothing serious",
        "the sole of my racing flats has a crack across it, time for new ones?",
        "how do I recognise an overuse injury early?",
        "sprained my ankle 2 weeks ago and it's still a bit swollen, when can I run?",
        "how long does a sprain take to heal? it's been 3 weeks and still swollen",
        "I've been running for 6 months and my calves ache despite stretching",
        "my legs are always tired and I'm out of breath on hills, how do I get fitter?",
        "my left leg is shorter than my right, do I need a heel lift?",
        "my old trainers' midsole has collapsed, time for new ones?",
        "black bruise under my toenail from tight shoes, will the nail come off?",
        "for heel raises should my knee be locked or soft?",
        "I'm 20 weeks pregnant, is gentle jogging still ok?",
        "a lump of ice in my water bottle got bigger overnight in the freezer, lol",
        "I plan to jump in the lake after the race to cool off",
        "doing the half marathon for a stroke charity, fundraising tips?",
        "so thirsty after the marathon in the heat, peed loads once I'd drunk",
        "blisters on the bottom of my foot, one bled a bit, how do I stop them?",
        "how do I avoid falling on my hands when I trip on trails?",
        "I nearly had a stroke when my watch lost the PB",
        "bright yellow socks or black ones for race day?",
        "my heart skipped a beat when I saw the start line, so nervous",
        "my yellow bruise from the fall is fading, can I run?",
        # a list after a denial stays denied; legs tired from a race are no walking pain; a fever's hot and cold
        "calf's not swollen or red or hot, just tight after hills",
        "calves ache walking downstairs for a few minutes after the marathon",
        "my 42 year old husband has sore heels after parkrun, which shoes would help?",
        "I woke up drenched in sweat after a hot night, is it ok to run tired?",
        # "keep fit" is no fit; comparing two conditions; a rupture that was repaired
        "What should my week look like if I have plantar fasciitis but want to keep fit?",
        "type 1 diabetic here, how do I keep fit over winter?",
        "whats the difference between shin splints and a tibial stress fracture",
        "coming back from achilles rupture surgery, what's the running timeline?",
        # history told about someone else or by seasons; asking how "you" tell; an injury in earlier builds
        "my daughter had a bone infection when she was 5, she's 15 now and fine, which spikes for her?",
        "had cellulitis from a blister three summers ago, how do I look after blisters now?",
        "how do you tell if a blister has got infected",
        "plan me a marathon build that's kind to my calves, I tore one twice in previous builds",
        "I can hop on it pain free now, when can I run?",
        "my black toenail from the marathon is about to fall off, should I pull it?",
        # pain worse than expected after a hard run; shoes that squash the toes
        "the pain is worse than I expected after my long run",
        "which shoes for wide feet? my toes feel crushed in my current pair",
        # the morning first steps of heel pain are no night pain; a triathlete's run off the bike is no crash
        "why are my heels so sore for the first steps when I wake up?",
        "going from the bike to the run in a triathlon, how do I warm up?",
        # figures of speech and anatomy: calves "like rocks" after a race, where the foot bends, a dog "a bit" scary
        "my calves feel like rocks after the half, how often should I stretch them?",
        "the front of my ankle where the foot bends is sore after long runs",
        "the farm dog was a bit scary on my run today",
        "my blister looks like it's about to pop, should I drain it?",
        "I'm going to end it with my coach, he never listens",
        # urine that is back to normal; athlete's foot; asking what the signs are
        "wee was darker after the ultra but it's back to clear now, legs a bit sore",
        "which signs mean a blister is infected?",
        "I carry the sickle cell trait, can I still do a marathon?",
        # morning heel pain felt as a bruise is no midfoot injury; a 16-year-old's heel pain is past the
        # growth-plate years (Sever's, 8-14); one leg shorter, or feet that point out, is how many runners are built
        "the bottom of my heel feels bruised for the first steps each morning",
        "my 16 year old son's heels are sore after track, why?",
        "my daughter (17) gets achy heels after hockey, what causes it?",
        "my left leg is shorter than my right, do I need an insole?",
        "my feet point outwards when I run, is that bad form?",
        "she was quick as lightning on the last lap",
        "the dye from my black socks stained my toes blue, does it wash off?",
        # "what's" is "what is": a question, like "what is a navicular stress fracture?"
        "what's a navicular stress fracture",
    ],
)
def test_denials_questions_and_ordinary_soreness_raise_nothing(detector, text):
    assert detector.detect(text) == []


def test_a_sore_blister_alone_is_no_emergency(detector):
    """Pain beyond what a wound explains needs a fever or darkening skin to be an emergency; a sore
    blister alone gets at most the infection check."""
    hits = detector.detect("my blister hurts more than it looks, how do I pad it?")
    assert all(hit.urgency == "possible" for hit in hits)


def test_athletes_foot_is_no_foot_short_of_blood(detector):
    hits = detector.detect("the skin between my toes is white, soggy and itchy after long runs")
    assert all(hit.urgency == "possible" for hit in hits)


def test_hearing_a_crack_is_no_hearing_loss(detector):
    hits = detector.detect("heard it go, a proper crack, on the outside of my ankle")
    assert {hit.flag_id for hit in hits} == {"heard_crack"}


def test_hopping_fine_after_a_mild_roll_is_no_bone_stress_warning(detector):
    hits = detector.detect("rolled it slightly yesterday, can walk and hop fine, just a little sore on the outside")
    assert not any(hit.plain for hit in hits)  # the injury check may still ask; no warning


def test_hedge_still_counts(detector):
    """'Not sure' is not a denial: safety first."""
    assert detector.detect("not sure if I heard a pop but I can't push off on that foot")


def test_negation_does_not_cross_but(detector):
    assert detector.detect("no swelling but I can't walk on it")


def test_most_urgent_flag_first(detector):
    hits = detector.detect("I felt a snap and now my foot is cold and white")
    assert hits[0].urgency == "emergency"


def test_with_diabetes_a_confused_sweaty_runner_is_treated_as_a_low_sugar_first(detector):
    hits = detector.detect("she's type 1, after the run she's confused and sweating loads, hot day too")
    assert hits[0].flag_id == "severe_low_blood_sugar"


def test_a_suicide_plan_leads_over_the_fall_it_names(detector, knowledge):
    hits = detector.detect("I'm going to jump off the bridge tonight")
    assert hits[0].flag_id == "suicidal_thoughts"
    reply = SafetyReplies(knowledge).red_flag_reply(["high_force", "suicidal_thoughts"])
    assert reply.data["red_flags"][0] == "suicidal_thoughts" and "Samaritans" in reply.text


def test_a_pattern_word_the_tokenizer_splits_is_refused(nlp, knowledge):
    """ "painless|pain-free" once compiled to "painless|pain": the crack someone heard was ruled out by
    any pain in the sentence. A word that reads as several can't stand among alternatives."""
    from copy import deepcopy  # noqa: PLC0415

    from coach.red_flags import RedFlagDetector  # noqa: PLC0415

    broken = deepcopy(knowledge)
    flag = next(f for f in broken.red_flags["red_flags"] if f["id"] == "heard_crack")
    flag["ruled_out_by"] = ["painless|pain-free"]
    with pytest.raises(ValueError, match="pain-free"):
        RedFlagDetector(nlp, broken)


def test_a_crack_heard_with_pain_is_still_a_crack(detector):
    assert "heard_crack" in {hit.flag_id for hit in detector.detect("heard a loud crack and now the pain is terrible")}


def test_empty_text(detector):
    assert detector.detect("") == [] and detector.detect("   ") == []


@pytest.mark.parametrize(
    "name", ["red_flag_cases.yml", "red_flag_cases_b.yml", "red_flag_cases_c.yml", "red_flag_cases_d.yml"]
)
def test_evaluation_sets_stay_green(detector, name):
    """Sets A-D were written blind and each then shaped the patterns (first-pass figures in README);
    keep every red flag caught by the patterns (warned, or sent to a safety check), at most 5% of
    ordinary messages warned and at most 10% checked, so no fix undoes another."""
    cases = yaml.safe_load((EVAL / name).read_text())
    missed = [c["text"] for c in cases["red_flags"] if not detector.detect(c["text"])]
    found = [detector.detect(c["text"]) for c in cases["ordinary"]]
    alarms = [c["text"] for c, hits in zip(cases["ordinary"], found) if any(hit.plain for hit in hits)]
    checks = [c["text"] for c, hits in zip(cases["ordinary"], found) if hits and not any(hit.plain for hit in hits)]
    assert missed == []
    assert len(alarms) <= 0.05 * len(cases["ordinary"]), alarms
    assert len(checks) <= 0.10 * len(cases["ordinary"]), checks
