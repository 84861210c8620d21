"""Les mots des pages, en français (les termes de la page d'aide de PitStoply)."""

WORDS = {
    # Navigation
    "agenda": "Agenda",
    "settings": "Paramètres",
    "external_calendar": "Calendrier externe",
    "settings_title": "Paramètres › Calendrier externe",

    # Paramètres > Calendrier externe
    "settings_intro": "Les événements de vos calendriers externes bloquent les créneaux de "
                      "votre agenda : vos clients ne peuvent pas réserver ces horaires. Vos "
                      "rendez-vous sont ajoutés aux calendriers choisis pour l'export.",
    "connect_calendar": "Connecter un calendrier",
    "no_connection": "Aucun calendrier connecté.",
    "connected_accounts": "Comptes connectés",
    "provider_google": "Google",
    "provider_microsoft": "Outlook",
    "provider_icloud": "iCloud",
    "provider_caldav": "Autre CalDAV",
    "provider_ics_feed": "Abonnement ICS",
    "connection_active": "Connexion active",
    "last_sync": "Dernière synchronisation : {when}",
    "last_success": "Dernière synchronisation réussie : {when}",
    "never": "jamais",
    "moment": "le {day} à {time}",
    "state_never_synced": "pas encore synchronisé",
    "state_ok": "à jour",
    "state_error": "en échec",
    "state_rate_limited": "ralenti par le service, nouvel essai automatique",
    "state_needs_reauthorisation": "reconnexion nécessaire",
    "state_calendar_gone": "calendrier introuvable",
    "status": "État",
    "health": "Vérification de la connexion",
    "health_unavailable": "La vérification n'a pas pu être faite : {error}",
    "selected_calendars": "Calendriers sélectionnés",
    "no_calendar_selected": "Aucun calendrier sélectionné : choisissez-en au moins un.",
    "calendar": "Calendrier",
    "direction": "Sens",
    "choose_calendars": "Choisir les calendriers",
    "sync_now": "Synchroniser maintenant",
    "disconnect": "Déconnecter",
    "synced": "Synchronisation terminée : {added} créneau(x) bloqué(s) ajouté(s), "
              "{removed} libéré(s).",
    "sync_failed": "La synchronisation a échoué : {error}",
    "connection_gone": "Cette connexion n'existe plus.",

    # Sens de synchronisation
    "direction_none": "Ne pas synchroniser",
    "direction_import": "Import seulement",
    "direction_export": "Export seulement",
    "direction_both": "Bidirectionnel (recommandé)",
    "directions_help": "Import : les événements du calendrier bloquent vos créneaux. "
                       "Export : vos rendez-vous y sont ajoutés et mis à jour.",
    "read_only": "lecture seule",
    "save": "Enregistrer",
    "calendars_saved": "Choix des calendriers enregistré.",
    "calendars_title": "Choisir les calendriers · {account}",
    "push_unavailable": "Notifications indisponibles pour « {calendar} » : ce calendrier "
                        "sera synchronisé toutes les 15 à 30 minutes.",

    # Connexion
    "connect_title": "Connecter un calendrier",
    "connect_choose": "Choisissez le service de votre calendrier :",
    "connect_redirect_note": "Vous serez redirigé vers la page d'autorisation du service, "
                             "puis ramené ici.",
    "not_configured": "non configuré sur ce serveur",
    "oauth_declined": "Connexion annulée : l'accès au calendrier n'a pas été autorisé.",
    "oauth_state_mismatch": "Cette connexion n'a pas été demandée depuis ce navigateur, "
                            "ou elle a expiré. Recommencez.",
    "oauth_refused": "Le service a refusé la connexion : {error}",
    "connected": "Calendrier connecté. Choisissez maintenant les calendriers à synchroniser.",
    "icloud_title": "Connecter iCloud",
    "icloud_apple_id": "Identifiant Apple",
    "icloud_app_password": "Mot de passe pour app",
    "icloud_help": "iCloud demande un mot de passe pour app, et non le mot de passe de "
                   "votre identifiant Apple.",
    "icloud_help_link": "Comment créer un mot de passe pour app",
    "icloud_help_url": "https://support.apple.com/fr-fr/102654",
    "caldav_title": "Connecter un serveur CalDAV",
    "caldav_url": "Adresse du serveur",
    "caldav_username": "Nom d'utilisateur",
    "caldav_password": "Mot de passe",
    "connect": "Connecter",
    "cancel": "Annuler",
    "connect_refused": "Le serveur a refusé l'identifiant ou le mot de passe : {error}",
    "connect_failed": "La connexion a échoué : {error}",
    "field_missing": "Remplissez tous les champs.",

    # Déconnexion
    "disconnect_title": "Déconnecter {account} ?",
    "disconnect_explain": "Les événements de ce compte ne bloqueront plus vos créneaux.",
    "disconnect_exports_stay": "Les événements déjà exportés restent dans le calendrier "
                               "externe.",
    "disconnected": "{account} est déconnecté. Les événements déjà exportés restent dans le "
                    "calendrier externe.",
    "disconnect_failed": "La déconnexion a échoué : {error}",

    # Partage avec l'équipe
    "team_title": "Partage avec l'équipe",
    "team_explain": "Ajoutez ce lien d'abonnement dans l'application de calendrier de chaque "
                    "membre de l'équipe : les rendez-vous du garage y apparaissent et se "
                    "mettent à jour. Gardez-le pour l'équipe : qui a le lien voit les "
                    "rendez-vous.",
    "team_new_link": "Nouveau lien",
    "team_new_link_note": "L'ancien lien cessera de fonctionner.",
    "team_link_renewed": "Nouveau lien créé ; l'ancien ne fonctionne plus.",
    "team_feed_name": "Rendez-vous · {garage}",

    # Dépannage
    "troubleshooting": "Dépannage",
    "troubleshooting_items": [
        "Vérifiez que la connexion est active.",
        "Vérifiez que les autorisations ont été accordées : reconnectez le compte et "
        "acceptez toutes les autorisations demandées.",
        "Vérifiez que le bon calendrier est sélectionné.",
    ],

    # Agenda
    "agenda_title": "Agenda · semaine du {day}",
    "previous_week": "‹ Semaine précédente",
    "next_week": "Semaine suivante ›",
    "this_week": "Cette semaine",
    "book": "Prendre un rendez-vous",
    "book_here": "Réserver",
    "external": "Externe",
    "legend_external": "Gris clair : occupé dans un calendrier externe, non réservable.",
    "legend_appointment": "Bleu : rendez-vous du garage.",
    "days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre"],
    "day_label": "{weekday} {day} {month}",
    "time_label": "{hour:02d}:{minute:02d}",

    # Réservation
    "booking_title": "Prendre un rendez-vous",
    "client": "Client",
    "service": "Prestation",
    "vehicle": "Véhicule",
    "date": "Date",
    "time": "Heure",
    "duration": "Durée",
    "minutes": "{minutes} min",
    "confirm_booking": "Confirmer le rendez-vous",
    "services": ["Vidange", "Révision", "Contrôle des freins", "Changement de pneus",
                 "Diagnostic"],
    "booked": "Rendez-vous confirmé le {day} à {time}.",
    "slot_taken_external": "Ce créneau vient d'être pris dans un calendrier externe. "
                           "Choisissez un autre horaire.",
    "slot_taken_garage": "Ce créneau est déjà réservé. Choisissez un autre horaire.",
    "slot_in_past": "Ce créneau est déjà passé.",
    "slot_closed": "Le garage est fermé à cet horaire (ouvert de {opens} h à {closes} h).",
    "booking_stale": "Certains calendriers externes n'ont pas pu être relus ; le créneau "
                     "était libre à leur dernière synchronisation.",
    "bad_date": "Date ou heure invalide.",

    # Erreurs
    "error_title": "Erreur",
    "csrf_refused": "Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page "
                    "et recommencez.",
    "not_found": "Page introuvable.",
    "back": "Retour",
}
