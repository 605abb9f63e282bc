"""Today's posts of the demo, written last and through the services: the
opening announcement after the pilot, and the posts the README's tour and the
browser tests look for at the top of the stream."""

from datetime import datetime, timedelta

from app.demo.plan import (
    Plan,
    PlannedAnswer,
    PlannedComment,
    PlannedPost,
    PlannedReaction,
    PlannedVote,
)
from app.levels import Level
from app.models import PostKind, ReactionKind


def plan_today(now: datetime) -> Plan:
    """``now`` only orders the actions: the services write them at their own time."""
    at = [now + timedelta(seconds=second) for second in range(20)]
    return Plan(
        posts=[
            PlannedPost(
                "admin",
                "**Bienvenue sur Ruche !** Après cinq semaines de pilote avec quelques équipes, "
                "le réseau social de l'entreprise est ouvert à tous. Présentez-vous, rejoignez "
                "les espaces de vos projets et suivez les #actualites.",
                at[0],
                kind=PostKind.ANNOUNCEMENT,
            ),
            PlannedPost(
                "sophie.bernard",
                "Le #LaboInnovation lance son appel à idées du trimestre : "
                "proposez vos idées avant le 15 ! @lucas.moreau anime l'atelier de jeudi.",
                at[1],
                "labo-innovation",
            ),
            PlannedPost(
                "thomas.petit",
                "Quel créneau pour le déjeuner d'équipe de vendredi ?",
                at[2],
                kind=PostKind.POLL,
                poll=("12 h", "12 h 30", "13 h"),
            ),
            PlannedPost(
                "chloe.fournier",
                "Où trouve-t-on le modèle de note de frais à jour ? #question",
                at[3],
                kind=PostKind.QUESTION,
            ),
            PlannedPost(
                "julien.martin",
                "Point d'avancement #Atlas : la recette du module de suivi démarre lundi. "
                "Merci à @marc.lambert et @ines.faure pour les correctifs livrés cette semaine.",
                at[4],
                "projet-atlas",
            ),
            PlannedPost(
                "claire.dubois",
                "Ordre du jour du prochain comité : budget 2027, plan de recrutement, #Atlas.",
                at[5],
                "comite-de-direction",
                level=Level.CONFIDENTIAL,
            ),
            PlannedPost(
                "emma.leroy",
                "Rappel : les entretiens annuels sont à planifier avant la fin du mois. #RH",
                at[6],
                "equipe-rh",
            ),
            PlannedPost(
                "chloe.fournier",
                "Retrouvailles des anciens le 12 décembre à Lyon : qui vient ? #alumni",
                at[7],
                "communaute-anciens",
            ),
        ],
        comments=[
            PlannedComment(
                3,
                "emma.leroy",
                "Dans l'espace Équipe RH, rubrique *Modèles* : c'est la version de septembre.",
                at[8],
            ),
            PlannedComment(
                4, "marc.lambert", "Merci ! Les derniers tickets seront fermés mercredi.", at[10]
            ),
        ],
        answers=[PlannedAnswer(3, 0, at[9])],
        reactions=[
            PlannedReaction(0, "claire.dubois", ReactionKind.CELEBRATE, at[11]),
            PlannedReaction(0, "julien.martin", ReactionKind.LIKE, at[12]),
            PlannedReaction(0, "sophie.bernard", ReactionKind.LIKE, at[13]),
        ],
        votes=[
            PlannedVote(2, "lucas.moreau", 0, at[14]),
            PlannedVote(2, "sophie.bernard", 0, at[15]),
        ],
    )
