"""Streamlit entry point: ``streamlit run dashboard/app.py``. The app lives in the installed package
(``newsradar.dashboard.app``) so ``newsradar dashboard`` works from any install; this file only runs it."""

from newsradar.dashboard.app import main

main()
